import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/App.js';
import { detectHost } from './host/host.js';
import { initialBrowserTheme, loadTheme } from './host/theme.js';
import './index.css';

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root');

const host = await detectHost();
// The meeting stage is a shared screen: always high contrast, whatever the viewer's theme.
const name =
  host.frame === 'meetingStage'
    ? 'contrast'
    : host.kind === 'teams'
      ? host.teams.theme
      : initialBrowserTheme();
const theme = await loadTheme(name);
createRoot(root).render(
  <StrictMode>
    <App host={host} initialTheme={{ name, theme }} />
  </StrictMode>,
);
