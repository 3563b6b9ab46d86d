'use strict';
// duplex serve --demo-auth: /echo admits a connection only with a single-use ticket, which
// POST /ticket hands out for the password the server printed at start. demo.js asks
// window.duplexAuth.url() for the URL before every connect, so each reconnect gets a new ticket.
(function () {
  const PROTECTED = '/echo';
  let password = null;
  let waiting = [];

  // A password field above the echo panel's status line (or at the top of the page).
  const form = document.createElement('form');
  form.id = 'auth-form';
  const label = document.createElement('label');
  label.textContent = 'This server runs with --demo-auth. Password (printed by duplex serve): ';
  const input = document.createElement('input');
  input.id = 'auth-password';
  input.type = 'password';
  input.autocomplete = 'off';
  const button = document.createElement('button');
  button.type = 'submit';
  button.textContent = 'Unlock';
  const note = document.createElement('span');
  note.id = 'auth-note';
  note.className = 'hint';
  label.append(input);
  form.append(label, ' ', button, ' ', note);
  const echo = document.getElementById('echo');
  (echo || document.body).prepend(form);

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    password = input.value;
    note.textContent = '';
    const callers = waiting;
    waiting = [];
    callers.forEach((resolve) => resolve(password));
  });

  function askPassword(message) {
    if (password !== null) return Promise.resolve(password);
    note.textContent = message || '';
    input.focus();
    return new Promise((resolve) => waiting.push(resolve));
  }

  async function ticket() {
    for (;;) {
      const pw = await askPassword();
      const response = await fetch('/ticket', {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: 'password=' + encodeURIComponent(pw),
      });
      if (response.ok) return (await response.json()).ticket;
      if (response.status !== 403) throw new Error('the ticket endpoint answered ' + response.status);
      password = null;
      await askPassword('wrong password, try again');
    }
  }

  window.duplexAuth = {
    /** The URL to connect to: with a fresh ticket when it is the protected endpoint. */
    async url(url) {
      if (new URL(url).pathname !== PROTECTED) return url;
      const t = await ticket();
      return url + (url.includes('?') ? '&' : '?') + 'ticket=' + encodeURIComponent(t);
    },
  };
})();
