import { teamsLightTheme, type Theme } from '@fluentui/react-components';

/** Teams' three themes: `default` (light), `dark`, `contrast`. */
export type ThemeName = 'light' | 'dark' | 'contrast';
export const THEME_NAMES: readonly ThemeName[] = ['light', 'dark', 'contrast'];
export const THEME_LABELS: Record<ThemeName, string> = {
  light: 'Light',
  dark: 'Dark',
  contrast: 'High contrast',
};

/** The light theme ships with the page; dark and high contrast load when chosen. */
export async function loadTheme(name: ThemeName): Promise<Theme> {
  if (name === 'light') return teamsLightTheme;
  const more = await import('./more-themes.js');
  return name === 'dark' ? more.teamsDarkTheme : more.teamsHighContrastTheme;
}

const KEY = 'rectify.theme';
const isThemeName = (v: string | null): v is ThemeName =>
  v !== null && (THEME_NAMES as readonly string[]).includes(v);

/** In a plain browser: the last choice, else what the operating system asks for. */
export function initialBrowserTheme(): ThemeName {
  const saved = localStorage.getItem(KEY);
  if (isThemeName(saved)) return saved;
  if (matchMedia('(forced-colors: active)').matches) return 'contrast';
  return matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

export function saveBrowserTheme(name: ThemeName): void {
  localStorage.setItem(KEY, name);
}
