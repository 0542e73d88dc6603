import { describeRuns, median, summariseRuns } from '../lib/bench-stats';

describe('the bench summary of repeated runs (--runs)', () => {
  test('median: the middle value, or the mean of the middle two', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([10.4, 9.2, 11.5, 10.0])).toBeCloseTo(10.2, 10);
    expect(median([7])).toBe(7);
    expect(median([])).toBeNaN();
  });

  test('range, count at or under the goal, and the median the goal is judged by', () => {
    const summary = summariseRuns([10.5, 9.2, 11.5, 10.0, 10.4], 10);
    expect(summary).toEqual({ median: 10.4, min: 9.2, max: 11.5, runs: 5, withinGoal: 2 });
  });

  test('printed as the targets table shows it', () => {
    expect(describeRuns(summariseRuns([10.5, 9.2, 11.5, 10.0, 10.4], 10), 10)).toBe('10.4× median of 5 runs (range 9.2–11.5×; ≤ 10× in 2 of 5)');
    expect(describeRuns(summariseRuns([18.84], 25), 25)).toBe('18.8×');
  });

  test('no runs is an error, not a NaN in the table', () => {
    expect(() => summariseRuns([], 10)).toThrow('summariseRuns: no runs to summarise');
  });
});
