/** Prints one benchmark figure beside its target, in one fixed format for every bench file. */
export function report(
  name: string,
  value: number,
  unit: string,
  target: { atLeast?: number; atMost?: number },
): void {
  const meets =
    (target.atLeast === undefined || value >= target.atLeast) &&
    (target.atMost === undefined || value <= target.atMost);
  const goal = target.atLeast !== undefined ? `≥ ${target.atLeast}` : `≤ ${target.atMost}`;
  const shown = value >= 100 ? Math.round(value).toLocaleString('en-US') : value.toFixed(2);
  console.log(`${meets ? 'meets ' : 'BELOW '} ${name}: ${shown} ${unit} (target ${goal} ${unit})`);
}
