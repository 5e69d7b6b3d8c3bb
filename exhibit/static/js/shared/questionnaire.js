// Makes a rendered questionnaire answerable: one answer per question (it can be changed), each
// answer reported through onAnswer(question, answer); the thanks appear once all are answered.
// The kiosk's questionnaire is made of buttons (aria-pressed); the topic page's is a form of radio
// buttons that works without script too (it is then posted): with script, answers are reported
// as they are chosen and the form is never posted (its button only flushes and thanks).

const value = (id) => (/^\d+$/.test(id) ? Number(id) : id);

export function wireQuestionnaire(root, onAnswer, { onSubmit } = {}) {
  const form = root.querySelector("[data-questionnaire]");
  if (!form) return;
  const thanks = form.querySelector("[data-thanks]");
  const update = () => {
    const open = [...form.querySelectorAll("[data-question]")].filter(
      (f) => !f.querySelector('[aria-pressed="true"], input:checked'),
    );
    thanks.hidden = open.length > 0;
  };
  form.addEventListener("click", (click) => {
    const button = click.target.closest("button[data-answer]");
    if (!button) return;
    const fieldset = button.closest("[data-question]");
    for (const other of fieldset.querySelectorAll("button[data-answer]")) {
      other.setAttribute("aria-pressed", String(other === button));
    }
    onAnswer(fieldset.dataset.question, value(button.dataset.answer));
    update();
  });
  form.addEventListener("change", (change) => {
    const input = change.target;
    if (!input.matches('input[type="radio"][data-answer]') || !input.checked) return;
    onAnswer(input.closest("[data-question]").dataset.question, value(input.value));
    update();
  });
  if (form.matches("form")) {
    form.addEventListener("submit", (submit) => {
      submit.preventDefault(); // every answer is already on its way
      if (onSubmit) onSubmit();
      thanks.hidden = false;
    });
  }
}
