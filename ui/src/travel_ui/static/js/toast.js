// One short message at a time at the bottom of the screen.

const el = document.getElementById("toast");
let timer = null;

export function toast(message) {
  el.textContent = message;
  el.hidden = false;
  el.classList.add("is-visible");
  clearTimeout(timer);
  timer = setTimeout(() => {
    el.classList.remove("is-visible");
    el.hidden = true;
  }, 4000);
}
