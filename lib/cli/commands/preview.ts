/** `npm start` / `npm run ops -- preview`: the local preview server (lib/ops/preview.ts) until interrupted. */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import { DEFAULT_PREVIEW_PORT, PREVIEW_ADDRESS, startPreview } from '../../ops/preview';
import { intOption, stringOption } from '../args';
import type { Command } from '../command';
import { CONFIG_OPTIONS, configFilesOf } from '../options';

/** How often the processes that started the preview are checked, in milliseconds. */
const PARENT_CHECK_MS = 500;

/** A process's parent and command line, or undefined when it is gone or cannot be told. */
function processInfo(pid: number): { readonly ppid: number; readonly command: string } | undefined {
  try {
    if (process.platform === 'linux') {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      // "pid (comm) state ppid ...": comm may hold spaces and parentheses.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const command = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
      return Number.isInteger(ppid) ? { ppid, command } : undefined;
    }
    if (process.platform === 'win32') return undefined;
    const out = execFileSync('ps', ['-o', 'ppid=,args=', '-p', String(pid)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const m = /^\s*(\d+)\s+(.*)$/.exec(out.trim());
    return m ? { ppid: Number(m[1]), command: m[2] } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The parent links to watch: this process's own, and when npm started it
 * (`npm start`: npm, a shell, tsx, then this process) each link up to npm,
 * so that npm's death, which leaves tsx and this process running, is seen.
 */
function parentLinks(): { readonly pid: number; readonly parent: number }[] {
  const links = [{ pid: process.pid, parent: process.ppid }];
  if (!process.env.npm_lifecycle_event) return links;
  const above: { pid: number; parent: number }[] = [];
  let pid = process.ppid;
  for (let depth = 0; depth < 6 && pid > 1; depth++) {
    const info = processInfo(pid);
    if (!info) break;
    above.push({ pid, parent: info.ppid });
    const parent = processInfo(info.ppid);
    if (parent && /(^|[\s/])npm(-cli\.js)?(\s|$)/.test(parent.command)) return [...links, ...above];
    pid = info.ppid;
  }
  return links;
}

/**
 * Resolves on the first SIGINT or SIGTERM, or when a process that started
 * this one is gone (the npm of `npm start` killed): a server left running
 * without them would hold the port.
 */
function untilStopped(): Promise<string> {
  const links = parentLinks();
  return new Promise<string>((resolve) => {
    const stop = (why: string): void => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      clearInterval(timer);
      resolve(why);
    };
    const onSignal = (signal: NodeJS.Signals): void => stop(signal);
    const timer = setInterval(() => {
      const broken = links.some((l) => (l.pid === process.pid ? process.ppid : processInfo(l.pid)?.ppid) !== l.parent);
      if (broken) stop('the process that started the preview is gone');
    }, PARENT_CHECK_MS);
    timer.unref();
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}

export const previewCommand: Command = {
  name: 'preview',
  summary: `serve every configured hostname on http://${PREVIEW_ADDRESS}:PORT through the deployed bundle (npm start)`,
  invocation: 'npm start --',
  description: `Serves every hostname of the sites file on http://${PREVIEW_ADDRESS}:PORT (a wildcard hostname
such as *.po.co: any name one label below it, unless another site names it), answering through
the bundle the stack deploys, with the origin-request event CloudFront would build for
each site. Choose the site with the Host header and the country with a
CloudFront-Viewer-Country header:
  curl -si -H 'Host: po.co' -H 'CloudFront-Viewer-Country: GB' http://${PREVIEW_ADDRESS}:${DEFAULT_PREVIEW_PORT}/
Prints one line per request. Nothing is cached. When a config file (sites, rules,
catalogue, bulk list) changes, it reloads and says so; a bad change is printed and the
last good config kept. Stop with Ctrl-C.
Also run as: npm run ops -- preview [options]`,
  options: {
    ...CONFIG_OPTIONS,
    port: { kind: 'string', value: 'N', help: 'port; 0 picks a free one', default: `PORT, else ${DEFAULT_PREVIEW_PORT}` },
    host: { kind: 'string', value: 'HOST', help: 'address to listen on (0.0.0.0: every interface)', default: PREVIEW_ADDRESS },
  },
  exitStatus: '0 when stopped by a signal, 1 when the port cannot be used, 2 on bad options or config.',
  async run(args, io) {
    const port = intOption(args.options.port ?? (process.env.PORT || undefined), 'port (or PORT)', DEFAULT_PREVIEW_PORT, 0, 65535);
    const preview = await startPreview({
      ...configFilesOf(args),
      port,
      host: stringOption(args.options.host),
      watch: true,
      log: (line) => io.stdout.write(line + '\n'),
      warn: (message) => io.stderr.write(message + '\n'),
    });
    io.stdout.write(
      `preview: bundle ${(preview.bundleBytes / 1024).toFixed(1)} KiB; serving\n${preview.sites.map((s) => `  ${s}\n`).join('')}`,
    );
    io.stdout.write(`preview: listening on ${preview.url} (try: curl -si -H 'Host: po.co' ${preview.url}/uk/)\n`);
    await untilStopped();
    await preview.close();
    io.stdout.write('preview: stopped\n');
    return 0;
  },
};
