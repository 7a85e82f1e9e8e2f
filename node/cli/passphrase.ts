// Where a keystore passphrase comes from, in order: --passphrase-file (first line), the
// TESSERA_PASSPHRASE environment variable, an interactive prompt (hidden input) on a terminal.
import { readFile } from 'node:fs/promises';
import { CliError, EXIT_USAGE } from './util.ts';

export async function getPassphrase(opts: { file?: string; confirm?: boolean; purpose: string }): Promise<string> {
  if (opts.file !== undefined) {
    let text: string;
    try {
      text = await readFile(opts.file, 'utf8');
    } catch (e) {
      throw new CliError(`cannot read --passphrase-file ${opts.file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, EXIT_USAGE);
    }
    const line = text.split(/\r?\n/)[0] ?? '';
    if (!line) throw new CliError(`--passphrase-file ${opts.file} is empty`, EXIT_USAGE);
    return line;
  }
  const env = process.env.TESSERA_PASSPHRASE;
  if (env !== undefined && env !== '') return env;
  if (!process.stdin.isTTY) throw new CliError('no passphrase: give --passphrase-file, set TESSERA_PASSPHRASE, or run on a terminal to be asked', EXIT_USAGE);
  const p = await promptHidden(`Passphrase to ${opts.purpose}: `);
  if (!p) throw new CliError('empty passphrase', EXIT_USAGE);
  if (opts.confirm && (await promptHidden('Repeat passphrase: ')) !== p) throw new CliError('the passphrases differ', EXIT_USAGE);
  return p;
}

function promptHidden(question: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const stdin = process.stdin;
    process.stderr.write(question);
    stdin.setRawMode(true);
    stdin.resume();
    let s = '';
    const onData = (buf: Buffer): void => {
      for (const ch of buf.toString('utf8')) {
        if (ch === '\r' || ch === '\n') {
          done();
          resolve(s);
          return;
        }
        if (ch === '\u0003') {
          done();
          reject(new CliError('cancelled'));
          return;
        }
        if (ch === '\u007f' || ch === '\b') s = s.slice(0, -1);
        else s += ch;
      }
    };
    const done = (): void => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write('\n');
    };
    stdin.on('data', onData);
  });
}
