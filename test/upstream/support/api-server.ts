/**
 * Starts the kube-apiserver program built by `npm run test:upstream` (test/upstream/kube-apiserver:
 * a real kube-apiserver with an embedded etcd, on loopback) and stops it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeClient } from './kube.ts';
import { BIN_DIR } from './programs.ts';

export interface ApiServer {
  kubeconfig: string;
  client: KubeClient;
  stop(): Promise<void>;
}

const BINARY = join(BIN_DIR, 'kube-apiserver');

/** Starts one API server; rejects with the tail of its log when it exits before it is ready. */
export async function startApiServer(): Promise<ApiServer> {
  if (!existsSync(BINARY)) throw new Error(`${BINARY} is not built: run the tier with \`npm run test:upstream\``);
  const dir = mkdtempSync(join(tmpdir(), 'upstream-apiserver-'));
  const kubeconfig = join(dir, 'kubeconfig');
  const child = spawn(BINARY, ['--kubeconfig', kubeconfig], { stdio: ['pipe', 'pipe', 'pipe'] });
  const log: string[] = [];
  child.stderr?.on('data', (chunk: Buffer) => {
    log.push(chunk.toString('utf8'));
    if (log.length > 200) log.shift();
  });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      if (out.includes('ready ')) resolve();
    });
    child.once('exit', (code) =>
      reject(new Error(`kube-apiserver exited (${code}) before it was ready:\n${log.join('').split('\n').slice(-30).join('\n')}`)),
    );
    child.once('error', reject);
  });
  return { kubeconfig, client: new KubeClient(kubeconfig), stop: () => stop(child, dir) };
}

async function stop(child: ChildProcess, dir: string): Promise<void> {
  if (child.exitCode === null) {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.stdin?.end();
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    await exited;
    clearTimeout(timer);
  }
  rmSync(dir, { recursive: true, force: true });
}
