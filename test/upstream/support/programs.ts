/** Where the upstream tier's Go programs live and where their binaries go (gitignored). */
import { fileURLToPath } from 'node:url';

/** test/upstream/: one Go module per program, in a folder named after the program. */
export const UPSTREAM_DIR = fileURLToPath(new URL('../', import.meta.url));
/** Build output of the programs; the Go build and module caches stay in Go's own places (`go env GOCACHE GOMODCACHE`). */
export const BIN_DIR = fileURLToPath(new URL('../.bin/', import.meta.url));
/** Go release the programs need: the `go` line of their go.mod files may ask for no more. */
export const GO_MINIMUM = { major: 1, minor: 26 };
