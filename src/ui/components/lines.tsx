import React from 'react';
import { Box, Text } from 'ink';
import type { Line } from '../model/text.js';

// https://no-color.org: any non-empty NO_COLOR turns colours off (bold and inverse stay:
// they are not colours, and the focus and selection marks depend on them).
const noColor = (process.env.NO_COLOR ?? '') !== '';

/** Draws pre-cut lines; one Text per line so Ink never re-wraps them. */
export function Lines({ lines, width }: { lines: Line[]; width: number }): React.ReactElement {
  return (
    <Box flexDirection="column" width={width} flexShrink={0}>
      {lines.map((l, i) => (
        <Text key={i} wrap="truncate-end">
          {l.length === 0
            ? ' '
            : l.map((s, j) => (
                <Text key={j} color={noColor ? undefined : s.color} bold={s.bold} inverse={s.inverse} dimColor={noColor ? false : s.dim}>
                  {s.text}
                </Text>
              ))}
        </Text>
      ))}
    </Box>
  );
}
