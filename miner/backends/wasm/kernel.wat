;; Noised product plus transcript, int8 operands widened to int16, i32x4.dot_i16x8_s.
;; Memory is shared by the worker threads; each computes its own rows of C' and of the fold states.
;;
;; Layouts (byte offsets passed in by the host; all regions 16-byte aligned):
;;   A8 : mPad x kPad int8, row-major (host copies A' in, zero padding)
;;   B8 : kPad x nPad int8, row-major (host copies B' in, zero padding)
;;   AP : mPad x kPad int16 (pack_a)                   pair p of row i at AP + i*kPad*2 + p*4
;;   BP : strips of 8 columns, each (kPad/2) pairs x 8 columns x 2 int16 = 32 bytes per pair (pack_b): the
;;        rows 2p, 2p+1 interleaved per column, so the v128 at BP + (j/8)*(kPad/2)*32 + p*32 holds columns
;;        j..j+3 of rows 2p and 2p+1 (and +16: j+4..j+7). Strip-major keeps the kernel's B reads contiguous
;;        (a row-major layout puts them nPad*4 bytes apart: 4 KiB aliasing in L1 at n = 1024).
;;   C  : mPad x nPad int32;  F : mPad x nPad int32 (fold states)
;; kPad is k rounded up to a multiple of 8 (so pack_a widens 8 at a time), nPad a multiple of 8,
;; mPad a multiple of 4, r even (block boundaries fall between pairs).
(module
  (import "env" "memory" (memory 1 65536 shared))

  ;; widen rows [i0, i1) of A8 into AP
  (func (export "pack_a") (param $a8 i32) (param $ap i32) (param $kPad i32) (param $i0 i32) (param $i1 i32)
    (local $src i32) (local $dst i32) (local $end i32)
    (local.set $src (i32.add (local.get $a8) (i32.mul (local.get $i0) (local.get $kPad))))
    (local.set $dst (i32.add (local.get $ap) (i32.shl (i32.mul (local.get $i0) (local.get $kPad)) (i32.const 1))))
    (local.set $end (i32.add (local.get $a8) (i32.mul (local.get $i1) (local.get $kPad))))
    (block $done
      (loop $l
        (br_if $done (i32.ge_u (local.get $src) (local.get $end)))
        (v128.store (local.get $dst) (v128.load8x8_s (local.get $src)))
        (local.set $src (i32.add (local.get $src) (i32.const 8)))
        (local.set $dst (i32.add (local.get $dst) (i32.const 16)))
        (br $l))))

  ;; interleave pairs of rows [2*p0, 2*p1) of B8 into BP
  (func (export "pack_b") (param $b8 i32) (param $bp i32) (param $nPad i32) (param $kPad i32) (param $p0 i32) (param $p1 i32)
    (local $strip i32)
    (local $p i32) (local $j i32) (local $r0 v128) (local $r1 v128) (local $src i32) (local $dst i32)
    (local.set $p (local.get $p0))
    (block $pd
      (loop $pl
        (br_if $pd (i32.ge_u (local.get $p) (local.get $p1)))
        (local.set $src (i32.add (local.get $b8) (i32.mul (i32.shl (local.get $p) (i32.const 1)) (local.get $nPad))))
        (local.set $strip (i32.shl (local.get $kPad) (i32.const 4)))  ;; bytes per strip: kPad/2 * 32
        (local.set $dst (i32.add (local.get $bp) (i32.shl (local.get $p) (i32.const 5))))
        (local.set $j (i32.const 0))
        (block $jd
          (loop $jl
            (br_if $jd (i32.ge_u (local.get $j) (local.get $nPad)))
            (local.set $r0 (v128.load8x8_s (i32.add (local.get $src) (local.get $j))))
            (local.set $r1 (v128.load8x8_s (i32.add (i32.add (local.get $src) (local.get $nPad)) (local.get $j))))
            (v128.store (local.get $dst)
              (i8x16.shuffle 0 1 16 17 2 3 18 19 4 5 20 21 6 7 22 23 (local.get $r0) (local.get $r1)))
            (v128.store offset=16 (local.get $dst)
              (i8x16.shuffle 8 9 24 25 10 11 26 27 12 13 28 29 14 15 30 31 (local.get $r0) (local.get $r1)))
            (local.set $dst (i32.add (local.get $dst) (local.get $strip)))
            (local.set $j (i32.add (local.get $j) (i32.const 8)))
            (br $jl)))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $pl))))

  ;; rows [i0, i1) (multiples of 4) of C' and F, all columns; fold after every r inner steps (fold=1)
  (func (export "kernel")
    (param $ap i32) (param $bp i32) (param $c i32) (param $f i32)
    (param $k i32) (param $kPad i32) (param $nPad i32) (param $r i32) (param $i0 i32) (param $i1 i32) (param $fold i32)
    (local $i i32) (local $j i32) (local $l0 i32) (local $pe i32) (local $p i32)
    (local $arow i32) (local $rowb i32) (local $bo i32) (local $ao i32) (local $co i32) (local $fo i32) (local $nb i32)
    (local $a v128) (local $b0 v128) (local $b1 v128) (local $x v128) (local $mul v128)
    (local $c00 v128) (local $c01 v128) (local $c10 v128) (local $c11 v128)
    (local $c20 v128) (local $c21 v128) (local $c30 v128) (local $c31 v128)
    (local.set $mul (i32x4.splat (i32.const 0x2C1B3C6D)))
    (local.set $rowb (i32.shl (local.get $kPad) (i32.const 1)))   ;; bytes per AP row
    (local.set $nb (i32.shl (local.get $nPad) (i32.const 2)))     ;; bytes per C row
    (local.set $j (i32.const 0))
    (block $jd (loop $jl
      (br_if $jd (i32.ge_u (local.get $j) (local.get $nPad)))
      (local.set $i (local.get $i0))
      (block $id (loop $il
        (br_if $id (i32.ge_u (local.get $i) (local.get $i1)))
        (local.set $c00 (v128.const i32x4 0 0 0 0)) (local.set $c01 (v128.const i32x4 0 0 0 0))
        (local.set $c10 (v128.const i32x4 0 0 0 0)) (local.set $c11 (v128.const i32x4 0 0 0 0))
        (local.set $c20 (v128.const i32x4 0 0 0 0)) (local.set $c21 (v128.const i32x4 0 0 0 0))
        (local.set $c30 (v128.const i32x4 0 0 0 0)) (local.set $c31 (v128.const i32x4 0 0 0 0))
        (local.set $arow (i32.add (local.get $ap) (i32.mul (local.get $i) (local.get $rowb))))
        (local.set $co (i32.add (local.get $c) (i32.add (i32.mul (local.get $i) (local.get $nb)) (i32.shl (local.get $j) (i32.const 2)))))
        (local.set $fo (i32.add (local.get $f) (i32.sub (local.get $co) (local.get $c))))
        ;; fold states start at 0
        (v128.store offset=0 (local.get $fo) (v128.const i32x4 0 0 0 0))
        (v128.store offset=16 (local.get $fo) (v128.const i32x4 0 0 0 0))
        (v128.store offset=0 (i32.add (local.get $fo) (local.get $nb)) (v128.const i32x4 0 0 0 0))
        (v128.store offset=16 (i32.add (local.get $fo) (local.get $nb)) (v128.const i32x4 0 0 0 0))
        (v128.store offset=0 (i32.add (local.get $fo) (i32.shl (local.get $nb) (i32.const 1))) (v128.const i32x4 0 0 0 0))
        (v128.store offset=16 (i32.add (local.get $fo) (i32.shl (local.get $nb) (i32.const 1))) (v128.const i32x4 0 0 0 0))
        (v128.store offset=0 (i32.add (local.get $fo) (i32.mul (local.get $nb) (i32.const 3))) (v128.const i32x4 0 0 0 0))
        (v128.store offset=16 (i32.add (local.get $fo) (i32.mul (local.get $nb) (i32.const 3))) (v128.const i32x4 0 0 0 0))
        (local.set $l0 (i32.const 0))
        (block $bd (loop $bl
          (br_if $bd (i32.ge_u (local.get $l0) (local.get $k)))
          ;; pairs [l0/2, min(l0 + r, kPad)/2)
          (local.set $pe (i32.add (local.get $l0) (local.get $r)))
          (if (i32.gt_u (local.get $pe) (local.get $kPad)) (then (local.set $pe (local.get $kPad))))
          (local.set $p (i32.shr_u (local.get $l0) (i32.const 1)))
          (local.set $pe (i32.shr_u (local.get $pe) (i32.const 1)))
          (local.set $bo (i32.add (local.get $bp) (i32.add (i32.shl (i32.mul (local.get $j) (local.get $kPad)) (i32.const 1)) (i32.shl (local.get $p) (i32.const 5)))))
          (local.set $ao (i32.add (local.get $arow) (i32.shl (local.get $p) (i32.const 2))))
          (block $pd (loop $pl
            (br_if $pd (i32.ge_u (local.get $p) (local.get $pe)))
            (local.set $b0 (v128.load offset=0 (local.get $bo)))
            (local.set $b1 (v128.load offset=16 (local.get $bo)))
            (local.set $a (v128.load32_splat (local.get $ao)))
            (local.set $c00 (i32x4.add (local.get $c00) (i32x4.dot_i16x8_s (local.get $a) (local.get $b0))))
            (local.set $c01 (i32x4.add (local.get $c01) (i32x4.dot_i16x8_s (local.get $a) (local.get $b1))))
            (local.set $a (v128.load32_splat (i32.add (local.get $ao) (local.get $rowb))))
            (local.set $c10 (i32x4.add (local.get $c10) (i32x4.dot_i16x8_s (local.get $a) (local.get $b0))))
            (local.set $c11 (i32x4.add (local.get $c11) (i32x4.dot_i16x8_s (local.get $a) (local.get $b1))))
            (local.set $a (v128.load32_splat (i32.add (local.get $ao) (i32.shl (local.get $rowb) (i32.const 1)))))
            (local.set $c20 (i32x4.add (local.get $c20) (i32x4.dot_i16x8_s (local.get $a) (local.get $b0))))
            (local.set $c21 (i32x4.add (local.get $c21) (i32x4.dot_i16x8_s (local.get $a) (local.get $b1))))
            (local.set $a (v128.load32_splat (i32.add (local.get $ao) (i32.mul (local.get $rowb) (i32.const 3)))))
            (local.set $c30 (i32x4.add (local.get $c30) (i32x4.dot_i16x8_s (local.get $a) (local.get $b0))))
            (local.set $c31 (i32x4.add (local.get $c31) (i32x4.dot_i16x8_s (local.get $a) (local.get $b1))))
            (local.set $bo (i32.add (local.get $bo) (i32.const 32)))
            (local.set $ao (i32.add (local.get $ao) (i32.const 4)))
            (local.set $p (i32.add (local.get $p) (i32.const 1)))
            (br $pl)))
          (if (local.get $fold) (then
            ;; t = ((t ^ s) ^ ((t ^ s) >>> 15)) * 0x2C1B3C6D per lane
            (local.set $x (v128.xor (v128.load offset=0 (local.get $fo)) (local.get $c00)))
            (v128.store offset=0 (local.get $fo) (i32x4.mul (v128.xor (local.get $x) (i32x4.shr_u (local.get $x) (i32.const 15))) (local.get $mul)))
            (local.set $x (v128.xor (v128.load offset=16 (local.get $fo)) (local.get $c01)))
            (v128.store offset=16 (local.get $fo) (i32x4.mul (v128.xor (local.get $x) (i32x4.shr_u (local.get $x) (i32.const 15))) (local.get $mul)))
            (local.set $ao (i32.add (local.get $fo) (local.get $nb)))
            (local.set $x (v128.xor (v128.load offset=0 (local.get $ao)) (local.get $c10)))
            (v128.store offset=0 (local.get $ao) (i32x4.mul (v128.xor (local.get $x) (i32x4.shr_u (local.get $x) (i32.const 15))) (local.get $mul)))
            (local.set $x (v128.xor (v128.load offset=16 (local.get $ao)) (local.get $c11)))
            (v128.store offset=16 (local.get $ao) (i32x4.mul (v128.xor (local.get $x) (i32x4.shr_u (local.get $x) (i32.const 15))) (local.get $mul)))
            (local.set $ao (i32.add (local.get $ao) (local.get $nb)))
            (local.set $x (v128.xor (v128.load offset=0 (local.get $ao)) (local.get $c20)))
            (v128.store offset=0 (local.get $ao) (i32x4.mul (v128.xor (local.get $x) (i32x4.shr_u (local.get $x) (i32.const 15))) (local.get $mul)))
            (local.set $x (v128.xor (v128.load offset=16 (local.get $ao)) (local.get $c21)))
            (v128.store offset=16 (local.get $ao) (i32x4.mul (v128.xor (local.get $x) (i32x4.shr_u (local.get $x) (i32.const 15))) (local.get $mul)))
            (local.set $ao (i32.add (local.get $ao) (local.get $nb)))
            (local.set $x (v128.xor (v128.load offset=0 (local.get $ao)) (local.get $c30)))
            (v128.store offset=0 (local.get $ao) (i32x4.mul (v128.xor (local.get $x) (i32x4.shr_u (local.get $x) (i32.const 15))) (local.get $mul)))
            (local.set $x (v128.xor (v128.load offset=16 (local.get $ao)) (local.get $c31)))
            (v128.store offset=16 (local.get $ao) (i32x4.mul (v128.xor (local.get $x) (i32x4.shr_u (local.get $x) (i32.const 15))) (local.get $mul)))))
          (local.set $l0 (i32.add (local.get $l0) (local.get $r)))
          (br $bl)))
        ;; store C'
        (v128.store offset=0 (local.get $co) (local.get $c00))
        (v128.store offset=16 (local.get $co) (local.get $c01))
        (local.set $co (i32.add (local.get $co) (local.get $nb)))
        (v128.store offset=0 (local.get $co) (local.get $c10))
        (v128.store offset=16 (local.get $co) (local.get $c11))
        (local.set $co (i32.add (local.get $co) (local.get $nb)))
        (v128.store offset=0 (local.get $co) (local.get $c20))
        (v128.store offset=16 (local.get $co) (local.get $c21))
        (local.set $co (i32.add (local.get $co) (local.get $nb)))
        (v128.store offset=0 (local.get $co) (local.get $c30))
        (v128.store offset=16 (local.get $co) (local.get $c31))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $il)))
      (local.set $j (i32.add (local.get $j) (i32.const 8)))
      (br $jl)))))
