/** fx run's results file: one JSON line per task, in input order (results arriving early wait in a buffer). */
import fs from "node:fs";

export class OrderedLines {
  private readonly slots: (string | undefined)[];
  private next = 0;
  private buf: string[] = [];

  constructor(total: number, private readonly fd: number) {
    this.slots = new Array(total);
  }

  put(index: number, record: object): void {
    this.slots[index] = JSON.stringify(record);
    while (this.next < this.slots.length && this.slots[this.next] !== undefined) {
      this.buf.push(this.slots[this.next]!);
      this.slots[this.next] = undefined;
      this.next++;
    }
    if (this.buf.length >= 512) this.flush();
  }

  flush(): void {
    if (this.buf.length === 0) return;
    const text = this.buf.join("\n") + "\n";
    this.buf = [];
    let off = 0;
    const b = Buffer.from(text);
    while (off < b.length) off += fs.writeSync(this.fd, b, off);
  }
}
