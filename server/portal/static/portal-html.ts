/**
 * The portal page. It carries no data and no token: the script reads `?token=` once, moves it to
 * sessionStorage, drops it from the address bar and calls /api/v1/portal/* with it. URLs are
 * relative so the portal also works when Dispatch is served below a path prefix.
 */
export const PORTAL_HTML = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <meta name="referrer" content="no-referrer">
  <title>Webhook settings</title>
  <link rel="icon" href="data:,">
  <link rel="stylesheet" href="portal/assets/portal.css">
  <script type="module" src="portal/assets/portal.js"></script>
</head>
<body>
  <a class="skip-link" href="#main">Skip to content</a>
  <header class="top">
    <div>
      <h1 id="title">Webhook settings</h1>
      <p id="subtitle" class="muted"></p>
    </div>
    <p id="expiry" class="expiry" hidden></p>
  </header>
  <div id="status" class="status" role="status" aria-live="polite"></div>
  <main id="main" tabindex="-1">
    <p id="loading" class="muted">Loading…</p>
    <section id="gate" class="gate" hidden aria-labelledby="gate-title">
      <h2 id="gate-title">This link has expired</h2>
      <p id="gate-text">Portal links are valid for a limited time. Ask the service that sent you this link for a new one.</p>
    </section>
    <div id="portal" hidden>
      <section aria-labelledby="endpoints-title">
        <div class="section-head">
          <h2 id="endpoints-title">Endpoints</h2>
          <button type="button" id="add-endpoint" class="primary">Add endpoint</button>
        </div>
        <p class="muted">Dispatch sends each event as a signed HTTP POST to these URLs and retries failed deliveries.</p>
        <div id="endpoints"></div>
      </section>

      <section id="editor" class="card editor" hidden aria-labelledby="editor-title">
        <h2 id="editor-title">Add endpoint</h2>
        <form id="endpoint-form" novalidate>
          <div class="field">
            <label for="endpoint-url">Endpoint URL</label>
            <input id="endpoint-url" name="url" type="url" required maxlength="2048" autocomplete="url"
              placeholder="https://example.com/webhooks" aria-describedby="endpoint-url-help">
            <p id="endpoint-url-help" class="help">An http(s) URL that accepts POST requests.</p>
          </div>
          <div class="field">
            <label for="endpoint-description">Description <span class="muted">(optional)</span></label>
            <input id="endpoint-description" name="description" type="text" maxlength="4096">
          </div>
          <fieldset class="field">
            <legend>Event types</legend>
            <p class="help" id="event-types-help">Leave every box unchecked to receive all event types.</p>
            <div id="event-type-options" class="checks" aria-describedby="event-types-help"></div>
          </fieldset>
          <p id="form-error" class="error" role="alert" hidden></p>
          <div class="actions">
            <button type="submit" id="endpoint-submit" class="primary">Create endpoint</button>
            <button type="button" id="endpoint-cancel">Cancel</button>
          </div>
        </form>
      </section>

      <section aria-labelledby="messages-title">
        <div class="section-head">
          <h2 id="messages-title">Recent deliveries</h2>
          <button type="button" id="refresh-messages">Refresh</button>
        </div>
        <div id="messages"></div>
      </section>
    </div>
  </main>
</body>
</html>
`;
