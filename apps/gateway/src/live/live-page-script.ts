/**
 * The live page's script (`GET /app.js`), plain browser JavaScript: signs in with client credentials, places
 * orders over REST, follows their status over the WebSocket `/v1/events` (resuming with the last event id after a
 * drop), and shows each service's health from `/v1/health`.
 */
export const LIVE_PAGE_JS = `'use strict';
(function () {
  var token = null;
  var socket = null;
  var lastEventId = null;
  var $ = function (id) { return document.getElementById(id); };
  var log = function (line) {
    var el = $('log');
    el.textContent = new Date().toISOString().slice(11, 19) + ' ' + line + '\\n' + el.textContent;
  };

  function api(path, init) {
    init = init || {};
    init.headers = Object.assign({}, init.headers || {}, token ? { authorization: 'Bearer ' + token } : {});
    return fetch(path, init).then(function (res) {
      return res.json().then(function (body) {
        if (!res.ok) throw new Error(res.status + ' ' + (body.code || body.error) + ': ' + (body.message || body.error_description));
        return body;
      });
    });
  }

  function orderRow(id) {
    var row = document.getElementById('order-' + id);
    if (!row) {
      row = document.createElement('tr');
      row.id = 'order-' + id;
      row.innerHTML = '<td class="id"></td><td class="items"></td><td><span class="status"></span></td><td class="detail"></td>';
      row.querySelector('.id').textContent = id.slice(0, 8);
      $('orders').tBodies[0].prepend(row);
    }
    return row;
  }

  function showStatus(id, status, detail) {
    var row = orderRow(id);
    var badge = row.querySelector('.status');
    var order = ['PENDING', 'CONFIRMED', 'REJECTED'];
    // A late PENDING never overwrites a final status.
    if (badge.textContent && order.indexOf(badge.textContent) > order.indexOf(status)) return;
    badge.textContent = status;
    badge.className = 'status ' + status;
    if (detail) row.querySelector('.detail').textContent = detail;
  }

  function connect() {
    if (!token) return;
    var url = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/v1/events' +
      (lastEventId ? '?lastEventId=' + encodeURIComponent(lastEventId) : '');
    socket = new WebSocket(url, ['switchboard.v1', 'bearer.' + token]);
    socket.onopen = function () { $('socket').textContent = 'socket: open'; };
    socket.onmessage = function (message) {
      var event = JSON.parse(message.data);
      if (event.type === 'ready') { log('socket ready for ' + event.customerId + ', resumed ' + event.resumed.count); return; }
      if (event.type !== 'order.status') return;
      lastEventId = event.id;
      var detail = event.reason || (event.totalCents !== undefined ? (event.totalCents / 100).toFixed(2) + ' EUR' : '');
      showStatus(event.orderId, event.status, detail);
      log(event.orderId.slice(0, 8) + ' -> ' + event.status);
    };
    socket.onclose = function () {
      $('socket').textContent = 'socket: closed';
      setTimeout(connect, 1000);
    };
  }

  function loadStock() {
    return api('/v1/inventory').then(function (stock) {
      var select = $('sku');
      var chosen = select.value;
      select.innerHTML = '';
      stock.items.forEach(function (item) {
        var option = document.createElement('option');
        option.value = item.sku;
        option.textContent = item.sku + ' (' + item.available + ' in stock)';
        select.appendChild(option);
      });
      if (chosen) select.value = chosen;
    });
  }

  function loadHealth() {
    api('/v1/health').then(function (health) {
      var body = $('health').tBodies[0];
      body.innerHTML = '';
      Object.keys(health.services).forEach(function (name) {
        var service = health.services[name];
        var row = document.createElement('tr');
        row.id = 'health-' + name;
        row.innerHTML = '<td></td><td></td><td></td>';
        row.cells[0].textContent = name;
        row.cells[1].textContent = service.status;
        row.cells[1].className = service.status;
        row.cells[2].textContent = service.latencyMs + ' ms';
        body.appendChild(row);
      });
    }).catch(function (error) { log('health: ' + error.message); });
  }

  $('signin').addEventListener('submit', function (e) {
    e.preventDefault();
    var body = new URLSearchParams({ grant_type: 'client_credentials', client_id: $('client-id').value, client_secret: $('client-secret').value });
    api('/v1/auth/token', { method: 'POST', body: body }).then(function (answer) {
      token = answer.access_token;
      $('who').textContent = 'signed in as ' + $('client-id').value;
      $('place').disabled = false;
      if (socket) socket.close(); else connect();
      log('signed in');
    }).catch(function (error) { log('sign in: ' + error.message); });
  });

  $('order').addEventListener('submit', function (e) {
    e.preventDefault();
    var order = { items: [{ sku: $('sku').value, quantity: Number($('quantity').value) }], paymentMethod: $('payment').value };
    api('/v1/orders', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(order) })
      .then(function (accepted) {
        var row = orderRow(accepted.id);
        row.querySelector('.items').textContent = order.items[0].quantity + ' x ' + order.items[0].sku;
        showStatus(accepted.id, accepted.status);
        log('placed ' + accepted.id.slice(0, 8));
        setTimeout(loadStock, 500);
      })
      .catch(function (error) { log('order: ' + error.message); });
  });

  loadStock().catch(function (error) { log('stock: ' + error.message); });
  loadHealth();
  setInterval(loadHealth, 5000);
})();
`;
