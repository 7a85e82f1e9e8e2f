#!/usr/bin/env node
// Launcher for `npx tessera`: registers tsx's loader in this process (TypeScript, no build
// step, no second process), then runs the CLI in node/cli/main.ts with our arguments.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../node/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
