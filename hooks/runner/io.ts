/** Where a runner command writes: the process's streams, or a test's lists. */
export interface CommandIo {
  stdout: (line: string) => void;
  stderr: (line: string) => void;
}
