// The online questionnaire page: each answer is sent as a feedback_answer event.

import { event, Sender } from "../shared/events.js";
import { wireQuestionnaire } from "../shared/questionnaire.js";

const url = document.querySelector('meta[name="exhibit-events"]').content;
const sender = new Sender(url, { interval: 500 });
const lang = document.body.dataset.lang;
wireQuestionnaire(document, (question, answer) =>
  sender.add(event("feedback_answer", "web", { question, answer, lang })),
);
window.addEventListener("pagehide", () => sender.flush({ keepalive: true }));
