/**
 * 32-bit FNV-1a, the hash of the bulk index's keys. The packer, the request
 * path scan and the index's lookups must agree on it bit for bit.
 */
export const FNV_BASIS = 0x811c9dc5 | 0;
export const FNV_PRIME = 16777619;

/** FNV-1a continued from `h` over the char codes of `s` from `start` to `end`. */
export function fnv(h: number, s: string, start: number, end: number): number {
  for (let i = start; i < end; i++) h = Math.imul(h ^ s.charCodeAt(i), FNV_PRIME);
  return h;
}
