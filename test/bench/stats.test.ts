import { ListRow, median, mergeProcesses } from '../../lib/bench/stats';

describe('the bench summary of repeated runs (--runs)', () => {
  test('median: the middle value, or the mean of the middle two', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([10.4, 9.2, 11.5, 10.0])).toBeCloseTo(10.2, 10);
    expect(median([7])).toBe(7);
    expect(median([])).toBeNaN();
  });
});

describe('the bench rows of several processes (--processes)', () => {
  const row = (list: string, compileMs: number, coldStartMs: number, firstMatchNs: number, runs: [number, number, number][]): ListRow => ({
    list,
    lines: 100000,
    compileMs,
    bundleBytes: 6_000_000,
    bundleCompressedBytes: 2_000_000,
    coldStartMs,
    engineNs: NaN, // recomputed from the runs
    handlerNs: NaN,
    mapGetNs: NaN,
    runs: runs.map(([engineNs, handlerNs, mapGetNs]) => ({ engineNs, handlerNs, mapGetNs })),
    firstMatchNs,
  });

  test("every process's timings in turn, their medians, and the medians of the rest", () => {
    const merged = mergeProcesses([
      [row('generated-100000.csv', 800, 50, 300000, [[170, 330, 18]])],
      [
        row('generated-100000.csv', 1100, 60, 400000, [
          [176, 350, 16.5],
          [172, 340, 17],
        ]),
      ],
      [row('generated-100000.csv', 900, 70, 350000, [[180, 360, 19.5]])],
    ]);
    expect(merged).toEqual([
      {
        ...row('generated-100000.csv', 900, 60, 350000, [
          [170, 330, 18],
          [176, 350, 16.5],
          [172, 340, 17],
          [180, 360, 19.5],
        ]),
        engineNs: 174,
        handlerNs: 345,
        mapGetNs: 17.5,
      },
    ]);
  });

  test('processes that measured different lists are an error', () => {
    expect(() => mergeProcesses([[row('a.csv', 1, 1, 1, [[1, 1, 1]])], [row('b.csv', 1, 1, 1, [[1, 1, 1]])]])).toThrow(
      'mergeProcesses: the processes did not measure the same lists (a.csv)',
    );
    expect(() => mergeProcesses([])).toThrow('mergeProcesses: no processes to merge');
  });
});
