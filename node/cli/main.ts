// The `tessera` command line: `tessera <command> [options]`, `--help` on every command.
// Exit codes: 0 success, 1 the command failed, 2 bad usage.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CliError, describeError, EXIT_FAIL, EXIT_OK, EXIT_USAGE, HelpRequested, stdio, type Io } from './util.ts';

export const MAIN_HELP = `Usage: tessera <command> [options]

A blockchain node whose mining is useful work.

Commands:
  node                        run a full node: JSON-RPC on 127.0.0.1:8545, the explorer and
                              /metrics on 127.0.0.1:8546 (--config tessera.toml for a config file)
  devnet                      start a local devnet of N nodes on 127.0.0.1 (npm run devnet)
  keys new|list|show|import   manage the encrypted keystore
  tx send|bond|unbond         sign and send a transfer, or add to / take from a miner's bond
  query head|block|account|tx|training|mempool|peers
                              read chain data from a node
  model export|eval           export a round's checkpoint as safetensors, or print its
                              held-out accuracy

Options:
  --version, -V               print the version
  --help, -h                  this help

Run "tessera <command> --help" for a command's options.`;

/** "tessera 0.1.0 (node v24.9.0)": the package's version, and the Node.js running it. */
export function versionLine(): string {
  // package.json is read as data (the project's version), not imported as code
  const pkg = JSON.parse(readFileSync(join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'package.json'), 'utf8')) as { version: string };
  return `tessera ${pkg.version} (node ${process.version})`;
}

type Run = (argv: string[], io: Io) => Promise<number>;
// Loaded on use: a query or key command does not load the node (its database, miner, servers).
const COMMANDS: Record<string, () => Promise<Run>> = {
  node: async () => (await import('./commands/node.ts')).nodeCommand,
  keys: async () => (await import('./commands/keys.ts')).keysCommand,
  tx: async () => (await import('./commands/tx.ts')).txCommand,
  query: async () => (await import('./commands/query.ts')).queryCommand,
  model: async () => (await import('./commands/model.ts')).modelCommand,
  devnet: async () => (await import('./commands/devnet.ts')).devnetCommand,
};

/** The Node.js the code needs; npm installs it (the node@24 devDependency) and npm scripts and npx run it. */
export const NODE_MAJOR = 24;

export async function main(argv: string[], io: Io = stdio): Promise<number> {
  const major = Number(process.versions.node.split('.')[0]);
  if (major < NODE_MAJOR) {
    io.err(`tessera needs Node.js ${NODE_MAJOR}, this is ${process.version}: run it as "npx tessera" or "npm run tessera --" in the project, which use the Node ${NODE_MAJOR} that npm install brings`);
    return EXIT_FAIL;
  }
  const [cmd, ...rest] = argv;
  if (cmd === undefined || cmd === '--help' || cmd === '-h' || cmd === 'help') {
    (cmd === undefined ? io.err : io.out)(MAIN_HELP);
    return cmd === undefined ? EXIT_USAGE : EXIT_OK;
  }
  if (cmd === '--version' || cmd === '-V' || cmd === 'version') {
    io.out(versionLine());
    return EXIT_OK;
  }
  const command = Object.hasOwn(COMMANDS, cmd) ? COMMANDS[cmd] : undefined;
  if (!command) {
    io.err(`tessera: unknown command "${cmd}"\n\n${MAIN_HELP}`);
    return EXIT_USAGE;
  }
  try {
    return await (await command())(rest, io);
  } catch (e) {
    if (e instanceof HelpRequested) {
      io.out(e.help);
      return EXIT_OK;
    }
    io.err(`tessera ${cmd}: ${describeError(e)}`);
    return e instanceof CliError ? e.exitCode : EXIT_FAIL;
  }
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('node/cli/main.ts')) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`tessera: ${describeError(e)}\n`);
      process.exitCode = EXIT_FAIL;
    },
  );
}
