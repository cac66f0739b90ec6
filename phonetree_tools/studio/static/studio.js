// The studio's page: a view of calls that the server replays, and the person's keys.
//
// The address holds the moment (the clock, the outcomes, every action so far); each step posts
// it to /studio/step, which replays the call against the real app and answers what the caller
// heard, where the call waits, the webhooks and the messages. Nothing here interprets TwiML.
"use strict";

const facts = JSON.parse(document.getElementById("facts").textContent);
const $ = (id) => document.getElementById(id);
const KEYS = "0123456789*#";
const DEFAULTS = { clock: "now", dial: "no-answer", queue: "wait", position: "1", average: "0", waited: "0" };

const studio = {
  session: sessionId(),
  call: null, // this call's id, for the session's counts; a new one when a call forks
  tips: {}, // call id -> the most actions shown of it
  actions: [], // tokens of the moment shown
  at: null, // the moment's clock
  last: null, // the last answer
  keys: "", // keys pressed at a Gather still listening for more
  keyTimer: null,
  chain: Promise.resolve(),
  muted: false,
  speaking: 0, // bumped to stop what is being spoken
};

function sessionId() {
  let id = sessionStorage.getItem("phonetree-studio");
  if (!id) {
    id = newId();
    sessionStorage.setItem("phonetree-studio", id);
  }
  return id;
}

function newId() {
  const bytes = new Uint8Array(8);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

// The address #################################################################

function settings() {
  return {
    clock: $("clock").value === "at" ? $("when").value || "now" : $("clock").value,
    dial: $("dial").value,
    queue: $("queue").value,
    position: $("position").value || "1",
    average: $("average").value || "0",
    waited: $("waited").value || "0",
  };
}

function address(actions, at) {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(settings())) {
    if (value !== DEFAULTS[name]) query.set(name, value);
  }
  if (at) query.set("at", at);
  for (const token of actions) query.append("do", token);
  const text = query.toString();
  return location.pathname + (text ? "?" + text : "");
}

function readAddress(search) {
  const query = new URLSearchParams(search);
  const clock = query.get("clock") || "now";
  if (["now", "open", "closed"].includes(clock)) {
    $("clock").value = clock;
  } else {
    $("clock").value = "at";
    $("when").value = clock.slice(0, 16);
  }
  $("when").disabled = $("clock").value !== "at";
  for (const name of ["dial", "queue", "position", "average", "waited"]) {
    if (query.get(name)) $(name).value = query.get(name);
  }
  return { at: query.get("at"), actions: query.getAll("do") };
}

// Steps ########################################################################

function step(build, how) {
  // One step at a time, each built from the moment the one before left.
  studio.chain = studio.chain.then(() => send(build(), how)).catch((error) => tell(String(error)));
  return studio.chain;
}

async function send(body, how) {
  document.querySelector("main").setAttribute("aria-busy", "true");
  try {
    await replay(body, how);
  } finally {
    document.querySelector("main").setAttribute("aria-busy", "false");
  }
}

async function replay(body, how) {
  for (let attempt = 0; attempt < 40; attempt++) {
    const answer = await fetch("/studio/step", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({
        session: studio.session,
        call: studio.call,
        deliver: $("deliver").checked,
        ...settings(),
        ...body,
      }),
    });
    if (answer.status === 503) {
      await new Promise((done) => setTimeout(done, 250));
      continue;
    }
    if (!answer.ok) {
      tell(await answer.text());
      return;
    }
    show(await answer.json(), how);
    return;
  }
  tell("The studio is busy; try again.");
}

function placeCall() {
  stopSpeaking();
  clearKeys();
  $("message").value = "";
  step(() => {
    studio.call = newId();
    return { actions: [], known: 0 };
  }, { push: true, fresh: true });
}

function act(token) {
  if (!studio.last || studio.last.ended) {
    tell(studio.last ? "The call has ended: press Call for a new one." : "Press Call first.");
    return;
  }
  stopSpeaking(); // the caller's input cuts the prompt short, as on a phone
  step(() => {
    if (studio.actions.length < (studio.tips[studio.call] || 0)) studio.call = newId(); // a fork
    return { at: studio.at, actions: [...studio.actions, token], known: studio.actions.length };
  }, { push: true });
}

function refresh() {
  // The same moment again: the carrier's side may now go on (a queue outcome was chosen).
  if (!studio.last || studio.last.ended) return;
  step(() => ({ at: studio.at, actions: studio.actions, known: studio.actions.length }), { push: true });
}

function open(search, call) {
  // The moment an address holds, replayed: its messages are shown, none is sent again.
  const moment = readAddress(search);
  if (!moment.at && !moment.actions.length) return;
  step(() => {
    studio.call = call || newId();
    return { at: moment.at, actions: moment.actions, known: moment.actions.length };
  }, { push: false, fresh: true });
}

// Showing an answer ############################################################

function show(answer, how) {
  const previous = studio.last;
  studio.last = answer;
  studio.actions = answer.actions;
  studio.at = answer.at;
  studio.tips[studio.call] = Math.max(studio.tips[studio.call] || 0, answer.actions.length);
  const url = address(answer.actions, answer.at);
  if (how.push) history.pushState({ call: studio.call }, "", url);
  else history.replaceState({ call: studio.call }, "", url);
  // A step that goes on from the moment shown adds to the transcript; any other redraws it.
  const added = previous && !how.fresh ? transcriptAfter(previous.events, answer.events) : null;
  if (added === null) {
    $("transcript").replaceChildren(...answer.events.map(transcriptItem));
    speak(heardSinceLastAction(answer.events));
  } else {
    $("transcript").append(...added.map(transcriptItem));
    speak(added.filter((event) => event.kind === "heard"));
  }
  $("transcript").scrollTop = $("transcript").scrollHeight; // the latest in sight
  showTree(answer);
  showMessages(answer.messages);
  showRequests(answer.requests);
  showControls(answer);
  $("clock-shown").textContent = "This call: " + answer.clock + ".";
}

function transcriptAfter(before, after) {
  // The new answer goes on from the old one when it starts with the same events.
  if (after.length < before.length) return null;
  for (let i = 0; i < before.length; i++) {
    if (before[i].kind !== after[i].kind || before[i].text !== after[i].text) return null;
  }
  return after.slice(before.length);
}

function heardSinceLastAction(events) {
  let start = 0;
  events.forEach((event, index) => {
    if (event.kind === "caller" || event.kind === "carrier") start = index + 1;
  });
  return events.slice(start).filter((event) => event.kind === "heard");
}

function transcriptItem(event) {
  const item = document.createElement("li");
  item.className = event.kind;
  if (event.kind === "heard") {
    if (event.verb === "Play" && event.url) {
      item.append("♪ ");
      const link = document.createElement("a");
      link.href = event.url;
      link.textContent = event.url;
      item.append(link);
    } else {
      const words = document.createElement("span");
      words.textContent = event.text;
      if (event.language) {
        words.lang = event.language;
        const tag = document.createElement("span");
        tag.className = "lang";
        tag.textContent = event.language;
        item.append(tag, " ");
      }
      item.append(words);
    }
  } else if (event.step) {
    const link = document.createElement("a");
    link.href = address(studio.actions.slice(0, event.step), studio.at);
    link.textContent = event.text;
    link.title = "this moment of the call";
    link.addEventListener("click", (click) => {
      click.preventDefault();
      history.pushState({ call: studio.call }, "", link.href);
      open(location.search, studio.call);
    });
    item.append(link);
  } else {
    item.textContent = event.text;
  }
  return item;
}

function showTree(answer) {
  for (const node of document.querySelectorAll("[data-state]")) {
    const name = node.dataset.state;
    node.classList.toggle("passed", answer.passed.includes(name));
    node.classList.toggle("ended", name === answer.ended_in);
    if (!answer.ended && name === answer.state) node.setAttribute("aria-current", "step");
    else node.removeAttribute("aria-current");
  }
  const current = document.querySelector('[data-state][aria-current="step"]');
  if (current) into(current);
  const coverage = answer.coverage;
  const counts = new Map(coverage.edges.map(([from, to, count]) => [from + ">" + to, count]));
  for (const edge of document.querySelectorAll("g.edge")) {
    const entry = edge.dataset.from === "_call";
    const count = entry ? coverage.calls : counts.get(edge.dataset.from + ">" + edge.dataset.to) || 0;
    edge.classList.toggle("taken", count > 0);
    const calls = count === 1 ? " 1 call" : ` ${count} calls`;
    edge.querySelector(".count").textContent = count ? (entry ? calls : ` ×${count}`) : "";
  }
  showCoverage(coverage.states, coverage.exits);
  const list = $("left-list");
  list.replaceChildren();
  const lines = [
    ["States", coverage.states_left.join(", ") || "none"],
    ["Exits", coverage.exits_left.map(([from, to]) => `${from} → ${to}`).join(", ") || "none"],
  ];
  for (const [name, text] of lines) {
    const line = document.createElement("p");
    const label = document.createElement("strong");
    label.textContent = name + ": ";
    line.append(label, text);
    list.append(line);
  }
}

function into(node) {
  // Scroll the diagram, not the page, so that the state where the call waits is in sight.
  const box = document.querySelector(".diagram");
  const place = node.getBoundingClientRect();
  const view = box.getBoundingClientRect();
  if (place.left < view.left || place.right > view.right) {
    box.scrollLeft += place.left - view.left - (view.width - place.width) / 2;
  }
}

function showCoverage(states, exits) {
  $("coverage").textContent =
    `This session reached ${states.reached} of ${states.total} states, ` +
    `${exits.taken} of ${exits.total} exits.`;
}

function showMessages(messages) {
  const box = $("messages");
  box.replaceChildren();
  $("messages-none").hidden = messages.length > 0;
  for (const message of messages) {
    const article = document.createElement("article");
    const title = document.createElement("h3");
    title.textContent = message.subject;
    article.append(title);
    for (const channel of message.channels) {
      const part = document.createElement("details");
      part.open = true;
      const summary = document.createElement("summary");
      const whom = channel.to ? ` to ${channel.to}` : "";
      const state = channel.sent || (channel.configured ? "shown, not sent" : "not configured: " + channel.setup);
      summary.textContent = `${channel.name === "email" ? "Email" : "POST"}${whom} (${state})`;
      const body = document.createElement("pre");
      body.textContent = channel.name === "email" ? channel.headers + "\n" + channel.body : channel.body;
      part.append(summary, body);
      article.append(part);
    }
    box.append(article);
  }
}

function showRequests(requests) {
  const list = $("requests");
  list.replaceChildren();
  for (const request of requests) {
    const item = document.createElement("li");
    const part = document.createElement("details");
    const summary = document.createElement("summary");
    const kind = request.callback ? "callback " : "";
    summary.textContent = `${kind}${request.method} ${request.url} · ${request.status} · ${request.ms} ms`;
    const params = document.createElement("pre");
    params.className = "params";
    params.textContent = Object.entries(request.params).map(([k, v]) => `${k}=${v}`).join("\n");
    const answer = document.createElement("pre");
    answer.className = "twiml";
    answer.textContent = request.answer;
    const posted = document.createElement("h3");
    posted.textContent = "Posted";
    const answered = document.createElement("h3");
    answered.textContent = "Answered";
    part.append(summary, posted, params, answered, answer);
    item.append(part);
    list.append(item);
  }
}

function showControls(answer) {
  const live = !answer.ended;
  const input = live && answer.waiting === "input";
  $("hangup").disabled = !live;
  $("say").disabled = !input;
  document.querySelector("#speak button").disabled = !input;
  $("silence").disabled = !input;
  $("message").disabled = !(live && answer.waiting === "record");
  $("hold").disabled = !(live && answer.waiting === "queue");
  $("save").disabled = false;
  tell(where(answer));
}

function where(answer) {
  if (answer.failure) return "The call failed: " + answer.failure;
  if (answer.ended) return `The call ended (${answer.outcome.join(" ")}).`;
  const at = answer.state ? ` at ${answer.state}` : "";
  if (answer.waiting === "record") return `Recording${at}: type the message, then # or Hang up.`;
  if (answer.waiting === "queue") return "Holding in the queue: choose a queue outcome, keep holding, or hang up.";
  const queued = answer.queued ? " (still in the queue)" : "";
  return `Waiting${at}${queued}: press keys, say something, or stay silent.`;
}

function tell(text) {
  $("status").textContent = text;
}

// Keys ###########################################################################

function press(key) {
  const button = document.querySelector(`.keypad [data-key="${CSS.escape(key)}"]`);
  if (button) {
    button.classList.add("down");
    setTimeout(() => button.classList.remove("down"), 150);
  }
  const answer = studio.last;
  if (!answer || answer.ended) {
    tell(answer ? "The call has ended: press Call for a new one." : "Press Call first.");
    return;
  }
  if (answer.waiting === "record") {
    if (key === "#") act("record:" + $("message").value.trim());
    return;
  }
  if (answer.waiting !== "input") {
    tell(`Nothing listens for keys now: ${facts.carrier} ignores them.`);
    return;
  }
  stopSpeaking();
  const gather = answer.gather;
  studio.keys += key;
  clearTimeout(studio.keyTimer);
  if (key === gather.finishOnKey || (gather.numDigits && studio.keys.length >= gather.numDigits)) {
    sendKeys();
  } else {
    $("entry").textContent = `Keys: ${studio.keys} (sent after ${gather.timeout} s, or ${gather.finishOnKey || "more keys"})`;
    studio.keyTimer = setTimeout(sendKeys, gather.timeout * 1000);
  }
}

function sendKeys() {
  const keys = studio.keys;
  clearKeys();
  if (keys) act(keys);
}

function clearKeys() {
  clearTimeout(studio.keyTimer);
  studio.keys = "";
  $("entry").textContent = "";
}

function typing(target) {
  return target.closest("input, textarea, select, [contenteditable]") !== null;
}

// Speech #########################################################################

function voiceFor(language) {
  const voices = window.speechSynthesis ? speechSynthesis.getVoices() : [];
  const norm = (tag) => tag.replace("_", "-").toLowerCase();
  return (
    voices.find((voice) => norm(voice.lang) === norm(language)) ||
    voices.find((voice) => norm(voice.lang).split("-")[0] === norm(language).split("-")[0]) ||
    null
  );
}

function speak(items) {
  // Says go to the browser's speech queue at once; a Play waits for the Says before it.
  stopSpeaking();
  if (studio.muted || !items.length) return;
  const turn = studio.speaking;
  let index = 0;
  const next = () => {
    if (turn !== studio.speaking) return;
    while (index < items.length && items[index].verb === "Say" && window.speechSynthesis) {
      const item = items[index++];
      const utterance = new SpeechSynthesisUtterance(item.text);
      utterance.lang = item.language || facts.languages[0];
      const voice = voiceFor(utterance.lang);
      if (voice) utterance.voice = voice;
      const lastSay = index >= items.length || items[index].verb !== "Say";
      if (lastSay) utterance.onend = utterance.onerror = next;
      speechSynthesis.speak(utterance);
      if (lastSay) return;
    }
    if (index < items.length) {
      const item = items[index++];
      if (item.verb === "Play" && item.url) play(item.url, next);
      else next();
    }
  };
  next();
}

const player = new Audio();

function play(url, done) {
  player.onended = player.onerror = done;
  player.src = url;
  player.play().catch(done); // unreachable, or not allowed: the transcript still shows it
}

function stopSpeaking() {
  studio.speaking += 1;
  if (window.speechSynthesis) speechSynthesis.cancel();
  player.onended = player.onerror = null;
  player.pause();
}

// Wiring #########################################################################

function fill(select, values) {
  for (const value of values) {
    const option = document.createElement("option");
    option.value = option.textContent = value;
    select.append(option);
  }
}

function saveTest() {
  const link = document.createElement("a");
  link.href = "/studio/test" + address(studio.actions, studio.at).slice(location.pathname.length);
  link.download = "";
  document.body.append(link);
  link.click();
  link.remove();
}

function start() {
  fill($("dial"), facts.dial);
  fill($("queue"), facts.queue);
  $("dial").value = DEFAULTS.dial;
  $("queue").value = DEFAULTS.queue;
  const delivers = facts.channels.length > 0;
  $("deliver").disabled = !delivers;
  $("deliver-note").textContent = delivers
    ? "Unchecked, messages are only shown here."
    : "No channel is configured (SMTP_URL, NOTIFY_URL): messages are only shown here.";

  showCoverage({ reached: 0, total: facts.states.length }, { taken: 0, total: facts.exits.length });
  $("call").addEventListener("click", placeCall);
  $("hangup").addEventListener("click", () => {
    clearKeys();
    const recording = studio.last && studio.last.waiting === "record";
    const words = $("message").value.trim();
    act(recording && words ? "hangup:" + words : "hangup");
  });
  $("mute").addEventListener("click", () => {
    studio.muted = !studio.muted;
    $("mute").setAttribute("aria-pressed", String(studio.muted));
    if (studio.muted) stopSpeaking();
  });
  for (const button of document.querySelectorAll(".keypad button")) {
    button.addEventListener("click", () => press(button.dataset.key));
  }
  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
    if (KEYS.includes(event.key) && event.key.length === 1) {
      event.preventDefault();
      press(event.key);
    }
  });
  $("speak").addEventListener("submit", (event) => {
    event.preventDefault();
    const words = $("say").value.trim();
    if (!words) return;
    $("say").value = "";
    act("say:" + words);
  });
  $("silence").addEventListener("click", () => {
    clearKeys();
    act("_");
  });
  $("record").addEventListener("submit", (event) => {
    event.preventDefault();
    act("record:" + $("message").value.trim());
  });
  $("hold").addEventListener("click", () => {
    const s = settings();
    act(`hold:${s.position},${s.average},${s.waited}`);
  });
  $("clock").addEventListener("change", () => {
    $("when").disabled = $("clock").value !== "at";
    history.replaceState(history.state, "", address(studio.actions, studio.at));
  });
  for (const id of ["when", "dial", "position", "average", "waited"]) {
    $(id).addEventListener("change", () => history.replaceState(history.state, "", address(studio.actions, studio.at)));
  }
  $("queue").addEventListener("change", () => {
    history.replaceState(history.state, "", address(studio.actions, studio.at));
    if (studio.last && studio.last.queued && $("queue").value !== "wait") refresh();
  });
  $("save").addEventListener("click", saveTest);
  window.addEventListener("popstate", (event) => {
    stopSpeaking();
    clearKeys();
    open(location.search, event.state && event.state.call);
  });
  if (window.speechSynthesis) speechSynthesis.getVoices(); // Chromium loads its voices on the first ask
  open(location.search, null);
}

start();
