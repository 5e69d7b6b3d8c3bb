// Makes a rendered questionnaire answerable: one answer per question (it can be changed), each
// answer reported through onAnswer(question, answer); the thanks appear once all are answered.

export function wireQuestionnaire(root, onAnswer) {
  const form = root.querySelector("[data-questionnaire]");
  if (!form) return;
  form.addEventListener("click", (click) => {
    const button = click.target.closest("button[data-answer]");
    if (!button) return;
    const fieldset = button.closest("[data-question]");
    for (const other of fieldset.querySelectorAll("button[data-answer]")) {
      other.setAttribute("aria-pressed", String(other === button));
    }
    const answer = /^\d+$/.test(button.dataset.answer) ? Number(button.dataset.answer) : button.dataset.answer;
    onAnswer(fieldset.dataset.question, answer);
    const open = [...form.querySelectorAll("[data-question]")].filter(
      (f) => !f.querySelector('[aria-pressed="true"]'),
    );
    form.querySelector("[data-thanks]").hidden = open.length > 0;
  });
}
