import React from 'react';
import { Box, Text } from 'ink';
import type { Color, Line } from '../model/text.js';

// https://no-color.org: any non-empty NO_COLOR turns colours off (bold and inverse stay:
// they are not colours, and the focus and selection marks depend on them).
const noColor = (process.env.NO_COLOR ?? '') !== '';

const FG: Record<Color, number> = { red: 31, green: 32, yellow: 33, blue: 34, magenta: 35, cyan: 36, white: 37, gray: 90 };

/**
 * A line as one ANSI string. One Text node per line instead of one per segment: Ink's
 * layout cost grows with nodes, and a 200x60 screen has thousands of segments.
 */
export function ansiLine(l: Line): string {
  let out = '';
  for (const s of l) {
    const codes: number[] = [];
    if (s.bold) codes.push(1);
    if (s.dim && !noColor) codes.push(2);
    if (s.inverse) codes.push(7);
    if (s.color && !noColor) codes.push(FG[s.color]);
    out += codes.length ? `\u001b[${codes.join(';')}m${s.text}\u001b[0m` : s.text;
  }
  return out || ' ';
}

/** Draws pre-cut lines; each is one Text so Ink never re-wraps them. */
export function Lines({ lines, width }: { lines: Line[]; width: number }): React.ReactElement {
  return (
    <Box flexDirection="column" width={width} flexShrink={0}>
      {lines.map((l, i) => (
        <Text key={i} wrap="truncate-end">
          {ansiLine(l)}
        </Text>
      ))}
    </Box>
  );
}
