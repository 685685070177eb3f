/**
 * A commit's recursive tree listing (`git ls-tree -r -z --full-tree`) looked up where it lies: one pass
 * finds where each record's path starts and ends, and a path is found by binary search, compared in
 * place. No string is made for a path until it is asked for, so a diff that asks about a few paths of
 * a large tree does not pay for all of them.
 *
 * git lists a tree in its own order: entries by name, a folder's name compared as if followed by `/`
 * (git's tree entry order, gitformat-index(5) / fsck's "treeNotSorted"), each folder's entries where
 * the folder is. Full paths then come in byte order; for ASCII paths that is the code unit order the
 * search compares by. A listing with any other character is not looked up in place (`inPlace`).
 */

/** `/` and the character after it: the paths under `dir/` are the ones from `dir/` up to, not including, `dir0`. */
const AFTER_SLASH = String.fromCharCode('/'.charCodeAt(0) + 1);

export class TreeListing {
  /** Whether a link (mode 120000) or a submodule (160000) is listed. */
  readonly hasLinks: boolean;
  readonly size: number;
  private readonly text: string;
  private readonly starts: Int32Array;
  private readonly ends: Int32Array;

  /**
   * Whether `listing` can be looked up in place: every path ASCII, so git's byte order is the order
   * strings compare in here.
   */
  static inPlace(listing: string): boolean {
    return !/[^\x00-\x7f]/.test(listing);
  }

  /** `listing`, as `git ls-tree -r -z` printed it (see inPlace). */
  constructor(listing: string) {
    let count = 0;
    for (let at = listing.indexOf('\0'); at !== -1; at = listing.indexOf('\0', at + 1)) count++;
    const [starts, ends] = [new Int32Array(count), new Int32Array(count)];
    let [size, links] = [0, false];
    for (let start = 0, end = listing.indexOf('\0'); end !== -1; start = end + 1, end = listing.indexOf('\0', start)) {
      const tab = listing.indexOf('\t', start);
      if (tab === -1 || tab > end) continue;
      if (listing.startsWith('120000', start) || listing.startsWith('160000', start)) links = true;
      [starts[size], ends[size]] = [tab + 1, end];
      size++;
    }
    [this.text, this.starts, this.ends, this.size, this.hasLinks] = [listing, starts, ends, size, links];
  }

  /** The path of record `index`. */
  path(index: number): string {
    return this.text.slice(this.starts[index], this.ends[index]);
  }

  /** The blob (or commit) id of record `index`: the field before its path. */
  id(index: number): string {
    const tab = (this.starts[index] as number) - 1;
    return this.text.slice(this.text.lastIndexOf(' ', tab) + 1, tab);
  }

  /** Record `index`'s path compared with `path`, by code unit: negative when it comes first. */
  private compare(index: number, path: string): number {
    const [start, end] = [this.starts[index] as number, this.ends[index] as number];
    const length = Math.min(end - start, path.length);
    for (let i = 0; i < length; i++) {
      const difference = this.text.charCodeAt(start + i) - path.charCodeAt(i);
      if (difference !== 0) return difference;
    }
    return end - start - path.length;
  }

  /** The first record whose path is not before `path`. */
  private lowerBound(path: string): number {
    let [low, high] = [0, this.size];
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.compare(middle, path) < 0) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  /** The record of the file at `path`, or -1. */
  find(path: string): number {
    const at = this.lowerBound(path);
    return at < this.size && this.compare(at, path) === 0 ? at : -1;
  }

  /** The records under the folder `dir` ('' for all): from the first to one past the last. */
  under(dir: string): [number, number] {
    return dir === '' ? [0, this.size] : [this.lowerBound(`${dir}/`), this.lowerBound(`${dir}${AFTER_SLASH}`)];
  }

  /**
   * The folders `depth` levels below the folder `dir` that hold a file (`overlays`, 2: every
   * `overlays/<env>/<component>`), in listing order: one string made per folder, not per file.
   */
  foldersBelow(dir: string, depth: number): string[] {
    const folders: string[] = [];
    const [first, last] = this.under(dir);
    let previous = '\0';
    for (let index = first; index < last; index++) {
      const start = this.starts[index] as number;
      if (this.text.startsWith(previous, start)) continue;
      let slash = start + dir.length;
      for (let level = 0; level < depth && slash !== -1; level++) slash = this.text.indexOf('/', slash + 1);
      if (slash === -1 || slash >= (this.ends[index] as number)) continue;
      const folder = this.text.slice(start, slash);
      folders.push(folder);
      previous = `${folder}/`;
    }
    return folders;
  }
}
