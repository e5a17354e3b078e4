import { startLab, labLogs } from './lab.js';
const lab = await startLab({ backingVms: 0 }).catch((e) => { console.log(String(e).slice(0, 3000)); process.exit(1); });
try {
  console.log(lab.kubectl(['get', 'deploy', '-A', '-o', 'wide']).stdout);
} finally { await lab.stop(); }
