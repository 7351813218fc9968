// faas-preview example front end: one same-origin call. The edge router sends /api/* to this preview's
// function (/function/<name>/*), so the page needs no backend URL, no CORS and no build-time configuration.
const answer = document.getElementById('answer');

fetch('/api/hello', { headers: { accept: 'application/json' } })
  .then(async (res) => {
    const text = await res.text();
    if (!res.ok) throw new Error(`HTTP ${res.status}: ${text}`);
    try {
      return JSON.stringify(JSON.parse(text), null, 2);
    } catch {
      return text;
    }
  })
  .then((text) => {
    answer.textContent = text;
    answer.dataset.state = 'ok';
  })
  .catch((err) => {
    answer.textContent = `The function did not answer: ${err.message}`;
    answer.dataset.state = 'error';
  });
