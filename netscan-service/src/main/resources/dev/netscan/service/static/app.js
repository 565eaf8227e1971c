// netscan status page: the devices table (paged on the server, so 20,000 rows stay fast), one
// device's last hour (uPlot), device events and alerts, all kept current by Server-Sent Events.
(() => {
  'use strict';
  const $ = (id) => document.getElementById(id);
  const PAGE = 100;
  const view = { offset: 0, sort: 'address', order: 'asc', q: '', state: '', total: 0, selected: null };
  const t0 = performance.now();
  let firstRender = true;
  let loading = null;
  let again = false;

  const esc = (s) => String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
  const ago = (iso) => {
    if (!iso) return '–';
    const s = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
    return s < 120 ? s + ' s ago' : s < 7200 ? Math.round(s / 60) + ' min ago' : Math.round(s / 3600) + ' h ago';
  };
  const bytes = (n) => n == null ? '–' : n < 1024 ? n + ' B' : n < 1048576 ? (n / 1024).toFixed(1) + ' KiB' : (n / 1048576).toFixed(1) + ' MiB';

  async function getJson(url) {
    const r = await fetch(url, { cache: 'no-store' });
    if (!r.ok) throw new Error(url + ': ' + r.status);
    return r.json();
  }

  // --- devices table
  async function loadTable() {
    if (loading) { again = true; return loading; }
    const p = new URLSearchParams({ offset: view.offset, limit: PAGE, sort: view.sort, order: view.order });
    if (view.q) p.set('q', view.q);
    if (view.state) p.set('state', view.state);
    loading = getJson('/api/v1/devices?' + p).then(renderTable).catch(() => {}).finally(() => {
      loading = null;
      if (again) { again = false; loadTable(); }
    });
    return loading;
  }

  function renderTable(page) {
    view.total = page.total;
    const rows = page.devices.map((d) =>
      '<tr data-ip="' + esc(d.address) + '"' + (d.address === view.selected ? ' class="sel"' : '') + '><td>' + esc(d.address) + '</td><td>' + esc(d.name) +
      '</td><td class="state-' + esc(d.state) + '">' + esc(d.state) + '</td><td>' + (d.last_rtt_ms == null ? '–' : d.last_rtt_ms.toFixed(3) + ' ms') +
      '</td><td>' + (d.loss_pct == null ? '–' : d.loss_pct + ' %') + '</td><td>' + ago(d.last_seen) + '</td></tr>');
    document.querySelector('#devices tbody').innerHTML = rows.join('');
    const last = Math.min(page.total, view.offset + page.devices.length);
    $('page-info').textContent = (page.total ? view.offset + 1 : 0) + '–' + last + ' of ' + page.total + (page.total !== page.known ? ' (' + page.known + ' known)' : '');
    if (firstRender && page.devices.length) {
      firstRender = false;
      window.__tableRenderedMs = performance.now() - t0;
      $('load-ms').textContent = 'first rows in ' + Math.round(window.__tableRenderedMs) + ' ms';
    }
    document.querySelectorAll('#devices th').forEach((th) => {
      th.classList.toggle('asc', th.dataset.sort === view.sort && view.order === 'asc');
      th.classList.toggle('desc', th.dataset.sort === view.sort && view.order === 'desc');
    });
  }

  document.querySelector('#devices thead').addEventListener('click', (e) => {
    const key = e.target.dataset.sort;
    if (!key) return;
    view.order = view.sort === key && view.order === 'asc' ? 'desc' : 'asc';
    view.sort = key;
    view.offset = 0;
    loadTable();
  });
  document.querySelector('#devices tbody').addEventListener('click', (e) => {
    const tr = e.target.closest('tr');
    if (tr) selectDevice(tr.dataset.ip);
  });
  let filterTimer = 0;
  $('filter').addEventListener('input', () => {
    clearTimeout(filterTimer);
    filterTimer = setTimeout(() => { view.q = $('filter').value.trim(); view.offset = 0; loadTable(); }, 150);
  });
  $('state').addEventListener('change', () => { view.state = $('state').value; view.offset = 0; loadTable(); });
  $('prev').addEventListener('click', () => { view.offset = Math.max(0, view.offset - PAGE); loadTable(); });
  $('next').addEventListener('click', () => { if (view.offset + PAGE < view.total) { view.offset += PAGE; loadTable(); } });

  // --- one device's last hour
  let chart = null;
  async function selectDevice(ip) {
    view.selected = ip;
    document.querySelectorAll('#devices tbody tr').forEach((tr) => tr.classList.toggle('sel', tr.dataset.ip === ip));
    const d = await getJson('/api/v1/devices/' + encodeURIComponent(ip)).catch(() => null);
    if (!d || view.selected !== ip) return;
    $('detail-title').textContent = d.address + (d.name ? ' · ' + d.name : '') + ' · ' + d.state + ' · last hour';
    const t = d.history.map((p) => p.t);
    const rtt = d.history.map((p) => p.rtt_ms);
    const loss = d.history.map((p) => p.probes ? 100 * p.lost / p.probes : null);
    const data = [t, rtt, loss];
    const width = Math.max(300, $('chart').clientWidth || 400);
    if (chart) chart.destroy();
    chart = new uPlot({
      width, height: 240,
      scales: { x: { time: true, range: () => { const now = Date.now() / 1000; return [now - 3600, now]; } }, loss: { range: [0, 100] } },
      series: [{}, { label: 'RTT (ms)', stroke: '#3572b0', width: 2, scale: 'ms', spanGaps: false },
               { label: 'loss (%)', stroke: '#c0392b', width: 1, scale: 'loss', paths: uPlot.paths.stepped({ align: 1 }) }],
      axes: [{}, { scale: 'ms', label: 'ms' }, { scale: 'loss', side: 1, label: '%', grid: { show: false } }],
    }, data, $('chart'));
    window.__chart = chart;
  }

  // --- events and alerts
  function eventLine(e) {
    return '<li><span class="ev-' + esc(e.type) + '">' + esc(e.type) + '</span> ' + esc(e.address) + (e.name ? ' (' + esc(e.name) + ')' : '') +
      ' <span class="muted">' + new Date(e.time).toLocaleTimeString() + '</span></li>';
  }
  async function loadEvents() {
    const r = await getJson('/api/v1/events').catch(() => ({ events: [] }));
    $('events').innerHTML = r.events.slice(0, 100).map(eventLine).join('');
  }
  let alerts = [];
  function renderAlerts() {
    const on = new Set([...document.querySelectorAll('.tiers input:checked')].map((i) => i.value));
    $('alerts').innerHTML = alerts.filter((a) => on.has(a.tier)).slice(-100).reverse().map((a) =>
      '<li><span class="tier tier-' + esc(a.tier) + '">' + esc(a.tier) + '</span>' + esc(a.message) +
      ' <span class="muted">' + new Date(a.time).toLocaleTimeString() + '</span></li>').join('');
  }
  async function loadAlerts() {
    alerts = (await getJson('/api/v1/alerts').catch(() => ({ alerts: [] }))).alerts;
    renderAlerts();
  }
  document.querySelectorAll('.tiers input').forEach((i) => i.addEventListener('change', renderAlerts));

  // --- header from the status event
  function renderStatus(s) {
    const h = s.health || {};
    $('status').textContent = s.status;
    $('status').className = 'badge ' + s.status;
    $('version').textContent = 'v' + s.version + ' · up ' + Math.round(s.uptime_s / 60) + ' min · ' + s.active_scans + ' remote scans';
    $('sse-seq').textContent = s.seq;
    $('s-devices').textContent = h.device_count ?? '–';
    $('s-down').textContent = h.suspended_devices ?? '–';
    $('s-scheduled').textContent = h.active_pingers ?? '–';
    $('s-level').textContent = h.alert_level ?? '–';
    $('s-rate').textContent = h.throttle_rate_pps ?? '–';
    $('s-mem').textContent = h.memory_used_pct == null ? '–' : h.memory_used_pct.toFixed(0) + ' %';
    $('s-temp').textContent = h.cpu_temp_c == null ? 'n/a' : h.cpu_temp_c.toFixed(0) + ' °C';
    $('s-db').textContent = h.influxdb_ok == null ? 'files' : h.influxdb_ok ? 'reachable' : 'unreachable';
    $('s-spool').textContent = bytes(h.writer_spool_bytes);
    $('s-dropped').textContent = h.writer_points_dropped ?? '0';
    $('s-queue').textContent = h.writer_queue_depth ?? '–';
    if (s.sweep) {
      $('s-sweep').textContent = 'running: ' + s.sweep.completed + ' / ' + s.sweep.total + ' probed, ' + s.sweep.alive + ' alive';
      $('s-sweep-bar').style.width = (100 * s.sweep.completed / Math.max(1, s.sweep.total)).toFixed(1) + '%';
    } else {
      $('s-sweep').textContent = s.last_sweep ? 'idle; last: ' + s.last_sweep.alive + ' alive of ' + s.last_sweep.targets : 'idle';
      $('s-sweep-bar').style.width = s.last_sweep ? '100%' : '0';
    }
  }

  // --- live updates: one EventSource; the table page refreshes on each status tick, no reloads
  let tick = 0;
  function connect() {
    const es = new EventSource('/api/v1/stream');
    es.addEventListener('status', (m) => {
      renderStatus(JSON.parse(m.data));
      loadTable();
      if (++tick % 5 === 0) loadAlerts();
      if (view.selected && tick % 15 === 0) selectDevice(view.selected);
    });
    es.addEventListener('device', (m) => {
      const e = JSON.parse(m.data);
      $('events').insertAdjacentHTML('afterbegin', eventLine(e));
      while ($('events').children.length > 100) $('events').lastChild.remove();
    });
    window.__eventSource = es;
  }

  loadTable();
  loadEvents();
  loadAlerts();
  connect();
})();
