/** The live page (`GET /`): plain HTML; its script is `/app.js` (the content security policy allows no inline script). */
export const LIVE_PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Switchboard — live</title>
<link rel="icon" href="data:,">
<style>
  body { font: 15px/1.4 system-ui, sans-serif; margin: 0; background: #f4f5f7; color: #1d2330; }
  header { background: #1d2330; color: #fff; padding: 12px 24px; display: flex; gap: 16px; align-items: baseline; }
  header h1 { font-size: 20px; margin: 0; }
  header a { color: #9cc3ff; }
  main { display: grid; grid-template-columns: 320px 1fr; gap: 16px; padding: 16px 24px; }
  section { background: #fff; border-radius: 8px; padding: 12px 16px; box-shadow: 0 1px 2px rgba(0,0,0,.08); }
  h2 { font-size: 15px; margin: 0 0 8px; }
  label { display: block; margin: 6px 0 2px; font-size: 13px; color: #555; }
  input, select { width: 100%; box-sizing: border-box; padding: 5px; }
  button { margin-top: 10px; padding: 6px 14px; }
  table { width: 100%; border-collapse: collapse; }
  td, th { text-align: left; padding: 4px 6px; border-bottom: 1px solid #eee; font-size: 13px; }
  .status { font-weight: 600; padding: 1px 6px; border-radius: 4px; }
  .PENDING { background: #fff3cd; } .CONFIRMED { background: #d1f2d9; } .REJECTED { background: #f8d7da; }
  .up { color: #1a7f37; } .down { color: #c62828; }
  #log { font: 12px monospace; max-height: 160px; overflow: auto; white-space: pre-wrap; color: #444; }
</style>
</head>
<body>
<header><h1>Switchboard</h1><span id="who">not signed in</span><span id="socket">socket: closed</span><a href="/docs">API docs</a></header>
<main>
  <div>
    <section>
      <h2>Sign in</h2>
      <form id="signin">
        <label for="client-id">client id</label><input id="client-id" value="demo" autocomplete="username">
        <label for="client-secret">client secret</label><input id="client-secret" type="password" value="demo-secret" autocomplete="current-password">
        <button id="signin-button" type="submit">Sign in</button>
      </form>
    </section>
    <section style="margin-top:16px">
      <h2>Place an order</h2>
      <form id="order">
        <label for="sku">product</label><select id="sku"></select>
        <label for="quantity">quantity</label><input id="quantity" type="number" min="1" value="1">
        <label for="payment">payment method</label>
        <select id="payment"><option value="visa">visa</option><option value="card-declined">card-declined</option></select>
        <button id="place" type="submit" disabled>Place order</button>
      </form>
    </section>
    <section style="margin-top:16px">
      <h2>Services</h2>
      <table id="health"><tbody></tbody></table>
    </section>
  </div>
  <div>
    <section>
      <h2>Your orders (live over the WebSocket)</h2>
      <table id="orders"><thead><tr><th>order</th><th>items</th><th>status</th><th>detail</th></tr></thead><tbody></tbody></table>
    </section>
    <section style="margin-top:16px">
      <h2>Events</h2>
      <div id="log"></div>
    </section>
  </div>
</main>
<script src="/app.js"></script>
</body>
</html>
`;
