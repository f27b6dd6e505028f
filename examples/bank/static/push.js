// The waiting page of a push: asks the bank every second whether the push was
// answered, and moves on by itself when it was. No framework, no inline script.
(function () {
  "use strict";
  const box = document.getElementById("waiting");
  if (!box) return;
  const url = box.dataset.statusUrl;
  const state = document.getElementById("push-state");
  async function check() {
    try {
      const response = await fetch(url, { headers: { Accept: "application/json" } });
      if (response.ok) {
        const data = await response.json();
        if (data.status !== "pending") {
          state.textContent = "Answered: " + data.status + ". One moment…";
          window.location.assign(data.next);
          return;
        }
      }
    } catch (error) {
      state.textContent = "Waiting for your answer… (connection lost, retrying)";
    }
    window.setTimeout(check, 1000);
  }
  window.setTimeout(check, 1000);
})();
