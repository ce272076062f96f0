// The season report's "Print this report" button (no inline scripts under the CSP).
document.addEventListener("DOMContentLoaded", () => {
  const button = document.getElementById("print-report");
  if (button) {
    button.addEventListener("click", (event) => { event.preventDefault(); window.print(); });
  }
});
