// Semantic colour names, the only place that knows which terminal colour each one is.
// Panes say what a piece of text *means* (ok, warn, error, accent, ...); the theme picks
// the ANSI colour, so a light terminal gets colours that stay readable on white, and
// NO_COLOR (https://no-color.org) drops them all in one place (terminal/rows.ts).

export const TONES = ['ok', 'warn', 'error', 'accent', 'info', 'cpu', 'mem', 'muted'] as const;
export type Tone = (typeof TONES)[number];

export type ThemeName = 'dark' | 'light';

/** SGR foreground codes per tone. Light: no yellow/cyan on white (they wash out). */
export const THEMES: Record<ThemeName, Record<Tone, number>> = {
  dark: { ok: 32, warn: 33, error: 31, accent: 36, info: 34, cpu: 36, mem: 35, muted: 90 },
  light: { ok: 32, warn: 35, error: 31, accent: 34, info: 34, cpu: 34, mem: 35, muted: 90 },
};

let active: ThemeName = 'dark';

/** Chosen once at start-up from the preferences file; panes never read it. */
export function setTheme(name: ThemeName): void {
  active = name;
}

export function toneCode(tone: Tone): number {
  return THEMES[active][tone];
}
