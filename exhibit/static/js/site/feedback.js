// The online questionnaire page: each answer is sent as a feedback_answer event as it is chosen.
// Without script the same form is posted to the server, which stores the same events.

import { event, Sender } from "../shared/events.js";
import { wireQuestionnaire } from "../shared/questionnaire.js";

const url = document.querySelector('meta[name="exhibit-events"]').content;
const sender = new Sender(url, { interval: 500 });
const lang = document.body.dataset.lang;
wireQuestionnaire(
  document,
  (question, answer) => sender.add(event("feedback_answer", "web", { question, answer, lang })),
  { onSubmit: () => sender.flush() },
);
window.addEventListener("pagehide", () => sender.flush({ keepalive: true }));
