// A small virtual terminal for the tests: it applies the bytes the TUI writes (text, CUP,
// EL, ED, SGR, DEC private modes) to a grid of cells, as a terminal does, so a test reads
// the screen a person would see from the real output path (the row writer's diffs after
// the first full frame), not from a copy of the composed rows. Autowrap follows DEC mode 7:
// off, text past the right edge overwrites the last column; on, it wraps (and scrolls).
// Colours are tracked per cell only as "styled or not" (enough for NO_COLOR checks).

// biome-ignore lint/suspicious/noControlCharactersInRegex: ESC starts every control sequence parsed here
const PARAMS = /^\u001b\[([?]?)([0-9;]*)([A-Za-z])/;

export class VirtualTerminal {
  private grid: string[][];
  private styled: boolean[][];
  private row = 0;
  private col = 0;
  private autowrap = true;
  private style = false;
  /** DEC private modes as last set (2026 synchronized output, 7 autowrap, 25 cursor). */
  readonly modes = new Map<string, boolean>();

  constructor(
    readonly cols: number,
    readonly rows: number,
  ) {
    this.grid = Array.from({ length: rows }, () => Array<string>(cols).fill(' '));
    this.styled = Array.from({ length: rows }, () => Array<boolean>(cols).fill(false));
  }

  write(bytes: string): void {
    let i = 0;
    while (i < bytes.length) {
      const ch = bytes[i]!;
      if (ch === '\u001b') {
        const m = PARAMS.exec(bytes.slice(i, i + 40));
        if (!m) throw new Error(`vterm: unknown escape at ${JSON.stringify(bytes.slice(i, i + 12))}`);
        this.control(m[1]!, m[2]!, m[3]!);
        i += m[0].length;
        continue;
      }
      if (ch === '\n') this.lineFeed();
      else if (ch === '\r') this.col = 0;
      else this.put(ch);
      i++;
    }
  }

  /** The screen as text: each row with trailing blanks removed, trailing empty rows dropped. */
  text(): string {
    const lines = this.grid.map((r) => r.join('').trimEnd());
    while (lines.length && lines[lines.length - 1] === '') lines.pop();
    return lines.join('\n');
  }

  /** Whether any cell of the screen carries a style. */
  anyStyled(): boolean {
    return this.styled.some((r) => r.some(Boolean));
  }

  private put(ch: string): void {
    if (this.col >= this.cols) {
      if (this.autowrap) {
        this.col = 0;
        this.lineFeed();
      } else this.col = this.cols - 1;
    }
    this.grid[this.row]![this.col] = ch;
    this.styled[this.row]![this.col] = this.style;
    this.col++;
  }

  private lineFeed(): void {
    if (this.row < this.rows - 1) this.row++;
    else {
      this.grid.shift();
      this.styled.shift();
      this.grid.push(Array<string>(this.cols).fill(' '));
      this.styled.push(Array<boolean>(this.cols).fill(false));
    }
  }

  private erase(row: number, from: number, to: number): void {
    for (let c = from; c < to; c++) {
      this.grid[row]![c] = ' ';
      this.styled[row]![c] = false;
    }
  }

  private control(priv: string, params: string, final: string): void {
    const n = params.split(';').map((x) => (x === '' ? 0 : Number(x)));
    if (priv === '?') {
      if (final !== 'h' && final !== 'l') throw new Error(`vterm: unknown private sequence ?${params}${final}`);
      for (const mode of params.split(';')) this.modes.set(mode, final === 'h');
      if (params === '7') this.autowrap = final === 'h';
      return;
    }
    switch (final) {
      case 'H':
        this.row = Math.min(this.rows - 1, Math.max(1, n[0] || 1) - 1);
        this.col = Math.min(this.cols - 1, Math.max(1, n[1] || 1) - 1);
        return;
      case 'K': {
        const mode = n[0] ?? 0;
        if (mode === 2) this.erase(this.row, 0, this.cols);
        else if (mode === 1) this.erase(this.row, 0, this.col + 1);
        else this.erase(this.row, this.col, this.cols);
        return;
      }
      case 'J': {
        const mode = n[0] ?? 0;
        if (mode === 2 || mode === 3) for (let r = 0; r < this.rows; r++) this.erase(r, 0, this.cols);
        else if (mode === 0) {
          this.erase(this.row, this.col, this.cols);
          for (let r = this.row + 1; r < this.rows; r++) this.erase(r, 0, this.cols);
        } else throw new Error(`vterm: ED ${mode} not modelled`);
        return;
      }
      case 'm':
        this.style = !(params === '' || params === '0');
        return;
      default:
        throw new Error(`vterm: CSI ${params}${final} not modelled`);
    }
  }
}

/**
 * The screen of an ink-testing-library instance: every write since the last call is fed to
 * one virtual terminal of the size the app reads (ink-testing-library's stdout says 100
 * columns and no rows, so the app assumes 24).
 */
export function screenOf(r: { frames: string[] }, cols = 100, rows = 24): () => string {
  const vt = new VirtualTerminal(cols, rows);
  let seen = 0;
  return () => {
    while (seen < r.frames.length) vt.write(r.frames[seen++]!);
    return vt.text();
  };
}
