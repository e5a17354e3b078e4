// The TUI's old output path, kept only as the benches' reference (issue 18): the composed
// rows handed to Ink, one Ink row node each, the text brought in at output time through
// Transform (so Ink's never-emptied string caches hold one blank per width), and Ink's
// layout, output buffer and log-update writing the frame. src/ui/App no longer draws this
// way; bench/ui-diagnosis.ts and bench/ui-render.ts time it in the same run as the row
// writer so their ratio says what the change bought on this machine today.
import type React from 'react';
import { Box, render as inkRender, Transform } from 'ink';
import { Writable } from 'node:stream';
import type { Screen } from '../src/ui/screen.js';
import { screenRows } from '../src/ui/terminal/rows.js';

const blanks = new Map<number, string>();
const blank = (width: number): string => {
  let b = blanks.get(width);
  if (b === undefined) {
    b = ' '.repeat(Math.max(1, width));
    blanks.set(width, b);
  }
  return b;
};

function Row({ text, width }: { text: string; width: number }): React.ReactElement {
  return <Transform transform={() => text}>{blank(width)}</Transform>;
}

function ScreenRows({ screen, cols }: { screen: Screen; cols: number }): React.ReactElement {
  return (
    <Box flexDirection="column" width={cols}>
      {screenRows(screen).map((row, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: a row is its terminal line number; rows never reorder
        <Row key={i} text={row} width={cols} />
      ))}
    </Box>
  );
}

/** A terminal stand-in that counts the bytes written and keeps nothing. */
export function countingSink(cols: number, rows: number): NodeJS.WriteStream & { bytes: number } {
  const sink = Object.assign(
    new Writable({
      write: (c: Buffer | string, _e, cb) => {
        sink.bytes += c.length;
        cb();
      },
    }),
    { columns: cols, rows, isTTY: true, bytes: 0 },
  );
  return sink as unknown as NodeJS.WriteStream & { bytes: number };
}

/** The old path over one persistent Ink instance: draw(screen) renders and writes one frame. */
export function inkReference(cols: number, rows: number, first: Screen) {
  const sink = countingSink(cols, rows);
  const ink = inkRender(<ScreenRows screen={first} cols={cols} />, {
    exitOnCtrlC: false,
    patchConsole: false,
    stdout: sink,
  });
  return {
    sink,
    draw: (screen: Screen): void => ink.rerender(<ScreenRows screen={screen} cols={cols} />),
    unmount: (): void => ink.unmount(),
  };
}
