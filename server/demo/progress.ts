/**
 * Console progress for the demo generator. On a terminal one line updates in place; elsewhere (logs,
 * CI, pipes) a plain line is printed at each quarter so the output stays short and readable.
 */
export interface DemoProgress {
  /** `done` of `total` things of `what` are created, e.g. (160, 320, 'employees'). */
  update(done: number, total: number, what: string): void;
  /** A line of its own (ends any updating line first). */
  line(text: string): void;
}

export interface ProgressOutput {
  write(text: string): unknown;
  isTTY?: boolean | undefined;
}

export const silentProgress: DemoProgress = { update() {}, line() {} };

export function createProgress(output: ProgressOutput | null, prefix: string): DemoProgress {
  if (!output) return silentProgress;
  let open = false;
  let lastQuarter = -1;
  let lastWhat = '';
  const endLine = () => {
    if (open) output.write('\n');
    open = false;
  };
  return {
    update(done, total, what) {
      const text = `${prefix}: ${done}/${total} ${what}`;
      if (output.isTTY) {
        output.write(`\r\x1b[2K${text}`);
        open = true;
        if (done >= total) endLine();
        return;
      }
      if (what !== lastWhat) lastQuarter = -1;
      lastWhat = what;
      const quarter = Math.floor((done / Math.max(1, total)) * 4);
      if (quarter !== lastQuarter) {
        lastQuarter = quarter;
        output.write(`${text}\n`);
      }
    },
    line(text) {
      endLine();
      output.write(`${text}\n`);
    },
  };
}
