export * from './keys.ts';
export * from './signature.ts';
export * from './header-signature.ts';
export { loadNative, nativeLoadError } from './native.ts';
