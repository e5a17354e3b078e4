import React from 'react';
import { Box, Text } from 'ink';
import type { Line } from '../model/text.js';

/** Draws pre-cut lines; one Text per line so Ink never re-wraps them. */
export function Lines({ lines, width }: { lines: Line[]; width: number }): React.ReactElement {
  return (
    <Box flexDirection="column" width={width} flexShrink={0}>
      {lines.map((l, i) => (
        <Text key={i} wrap="truncate-end">
          {l.length === 0
            ? ' '
            : l.map((s, j) => (
                <Text key={j} color={s.color} bold={s.bold} inverse={s.inverse} dimColor={s.dim}>
                  {s.text}
                </Text>
              ))}
        </Text>
      ))}
    </Box>
  );
}
