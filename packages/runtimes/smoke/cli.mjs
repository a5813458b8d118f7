// The smoke client as a program, for Node, Bun and Deno: the config comes as one JSON argument,
// the verdict goes to stdout as one JSON line.
import { smoke } from './smoke.mjs';

const args = globalThis.Deno ? globalThis.Deno.args : globalThis.process.argv.slice(2);
console.log(JSON.stringify(await smoke(JSON.parse(args[0]))));
