const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/**
 * A progress indicator on stderr for operations that can take a while (a call waiting for its deadline, probing
 * every app). Only on a terminal: piped or captured output stays clean.
 */
export class Spinner {
  private timer?: NodeJS.Timeout;
  private frame = 0;
  private text = '';

  constructor(private readonly stream: NodeJS.WriteStream = process.stderr) {}

  start(text: string): this {
    this.text = text;
    if (!this.stream.isTTY || this.timer) return this;
    this.timer = setInterval(() => this.draw(), 80);
    this.timer.unref();
    this.draw();
    return this;
  }

  update(text: string): void {
    this.text = text;
  }

  stop(): void {
    if (!this.timer) return;
    clearInterval(this.timer);
    this.timer = undefined;
    this.stream.write('\r\x1b[2K');
  }

  private draw(): void {
    this.stream.write(`\r\x1b[2K${FRAMES[this.frame++ % FRAMES.length]} ${this.text}`);
  }
}
