"""The walk: the table's vocabulary, the call, the engine, collect, languages, words, checks."""

from __future__ import annotations

from mutant import CHECKS, WALK, engine, group

MUTANTS = [
    *group(
        "phonetree_engine/tree.py",
        WALK,
        (
            "return (chosen, False) if chosen else (self.otherwise, True)\n        if call.speech",
            "return (chosen, False) if chosen else (self.otherwise, False)\n        if call.speech",
            {"why": "a wrong key is no failed try: a caller pressing it is kept at the menu"},
        ),
        ("return self.silence or self.otherwise, True", "return self.otherwise, True"),
        ("if call.speech:\n            chosen", "if False:\n            chosen"),
        ("return self.tries or config.max_retries", "return config.max_retries"),
        (
            "return Phrases((p, o.to) for o in self.options for p in split_phrases(_heard(o, "
            "language)))",
            "return Phrases((p, o.to) for o in self.options for p in split_phrases(_heard(o, "
            '"en-US")))',
            {"why": "a caller saying an option in their own language is not understood"},
        ),
        (
            'edges.append(("silence", self.silence or self.otherwise))',
            'edges.append(("silence", self.otherwise))',
        ),
        ('edges.append(("too many tries", self.give_up))', "pass"),
        ('edges = [("closed", self.when_closed)] if self.when_closed else []', "edges = []"),
        ('edges.append(("while queued", self.hold))', "pass"),
        (
            "if state not in self.targets:\n            raise TransitionError",
            "if False:\n            raise TransitionError",
        ),
    ),
    *group(
        "phonetree_engine/call.py",
        WALK,
        (
            "if 0 < len(text) <= self.size and all(char in self.chars for char in text):",
            "if 0 < len(text) and all(char in self.chars for char in text):",
            {"why": "a value that does not fit its slot is carried, and the URL grows"},
        ),
        (
            '"tries": Slot(2),',
            '"tries": Slot(1),',
            {"why": "ten failed tries read as none: a menu's give_up of 10 never comes"},
        ),
        (
            "if value is not None and slot.personal:\n            self._call.volatile = True",
            "pass",
            {"why": "a caller's number rendered once is read back to every later caller"},
        ),
        ('return self.param("Digits").strip()', 'return self.param("Digits")'),
        (
            "self.volatile = True\n        if self._now is None:",
            "if self._now is None:",
            {"why": "the clock's answer cached: the greeting says open all night"},
        ),
        (
            "return chosen if chosen in self.config.languages else self.config.language",
            "return chosen or self.config.language",
            {"why": "a language the tree does not speak is taken from the URL"},
        ),
        (
            'return min(int(self.context.get("tries", "0")), MAX_TRIES)',
            'return min(int(self.context.get("tries", "0")), 1)',
        ),
        (
            "return [self.words(option.say) for option in self.exit.options if option.say]",
            "return [self.words(option.say) for option in self.exit.options[:-1] if option.say]",
            {"why": "the menu's last option is never announced"},
        ),
        (
            "if value is not None and slot.read(value) is None:",
            "if False:",
        ),
        (
            "(private if slot.personal else readable)[name] = value",
            "readable[name] = value",
            {"why": "the caller's entered digits travel in clear in every URL and access log"},
        ),
        (
            "return url + self.setup.retry_fragment if retry else url",
            "return url",
            {"why": "a recording callback answered 5xx is not retried: the voicemail is lost"},
        ),
        (
            'pairs = [f"{name}={value}" for name, value in sorted(readable.items())]',
            'pairs = [f"{name}={value}" for name, value in sorted(readable.items())][:1]',
        ),
        ("once = {name: value for name, value in once.items() if value}", "once = {}"),
        ("if not once and self._query is not None:", "if self._query is not None:"),
    ),
    *group(
        "phonetree_engine/engine.py",
        WALK,
        (
            "if isinstance(row.exit, ChooseLanguage) and len(self.config.languages) == 1:",
            "if isinstance(row.exit, ChooseLanguage) and len(self.config.languages) <= 2:",
            {"why": "with two languages the caller is never asked to choose"},
        ),
        (
            "if row.when_closed and not self.call(name, params, context, prefix).is_open:",
            "if row.when_closed and self.call(name, params, context, prefix).is_open:",
        ),
        (
            "if not call.volatile and len(self._rendered) < MAX_RENDERED:",
            "if len(self._rendered) < MAX_RENDERED:",
            {"why": "TwiML that read the input, the clock or a caller's number is reused"},
        ),
        (
            "self._rendered[(base, tuple(values.get(name) for name in names))] = text",
            "self._rendered[(base, ())] = text",
            {"why": "TwiML rendered for one language reused for another"},
        ),
        ('carried.pop("tries", None)', "pass", {"why": "a good key does not reset the tries"}),
        (
            "if call.tries + 1 >= exit_.limit(self.config):",
            "if call.tries + 1 > exit_.limit(self.config):",
            {"why": "one failed try more than MAX_RETRIES before give_up"},
        ),
        ('carried["tries"] = str(call.tries + 1)', 'carried["tries"] = str(call.tries)'),
        (
            'if "tries" in call.kept:  # the exit counts its own tries (Collect)',
            "if False:",
        ),
        ('verb.attrs.setdefault("input", "dtmf speech")', 'verb.attrs.setdefault("input", "dtmf")'),
        (
            'verb.attrs.setdefault("language", call.language)\n            verb.attrs.setdefault(',
            'verb.attrs.setdefault("language", "en-US")\n            verb.attrs.setdefault(',
            {"why": "speech heard as English whatever the caller's language"},
        ),
        (
            'language = verb.attrs.setdefault("language", call.language)',
            'language = verb.attrs.get("language") or call.language',
            {"why": "a Say without a language is read in the carrier's default voice"},
        ),
        (
            'if voice and "voice" not in verb.attrs:',
            "if voice:",
            {"why": "a Say's own voice (the language choice's) is replaced"},
        ),
        ("for child in verb.verbs:\n            self.dress(child, row, call)", "pass"),
        (
            "if self.dialect.empty_result:\n            return verbs",
            "if True:\n            return verbs",
            {"why": "on Telnyx, silence at a menu hangs up instead of going on"},
        ),
        (
            'return hears and gather.attrs.get("action") == call.action',
            "return hears",
            {"why": "a Gather of another webhook listens for the menu's words"},
        ),
        (
            "return [self.to_xml(as_verbs(row.webhooks[part](call)), row, call)]",
            'return ["".join(v.to_xml(xml_declaration=False) for v in '
            "as_verbs(row.webhooks[part](call)))]",
            {"why": "a webhook's TwiML said without the caller's language and voice"},
        ),
    ),
    *group(
        "phonetree_engine/collect.py",
        engine("collect", "callback", "context", "never_stuck", "table"),
        ("if value and digits == CONFIRM_KEY:", "if value and digits:"),
        ("if value and digits == AGAIN_KEY:", "if False:"),
        (
            'return self.retry(call, "invalid")\n        call.keep("entry"',
            'return self.retry(call, "silence")\n        call.keep("entry"',
        ),
        (
            'call.keep("tries", call.context.get("tries"))  # a good entry is no new try',
            "pass",
        ),
        ("if tries >= self.limit(call.config):", "if tries > self.limit(call.config):"),
        ("return self.valid is None or bool(self.valid(digits))", "return True"),
        (
            'return ", ".join(digits)',
            "return digits",
            {"why": "a number read back as one big number"},
        ),
        (
            'value = (self.default(call) or "").strip().lstrip("+")',
            'value = (self.default(call) or "").strip()',
        ),
        (
            'if step in ("invalid", "silence"):\n            ask.say(words[step])',
            "if False:\n            pass",
        ),
        (
            "if entry is not None and not self.accepts(entry):  # checked again, whatever came",
            "if False:",
            {"why": "an entry changed in the URL is confirmed without the checks"},
        ),
        ("offered = self.offered(call) if step is None else None", "offered = self.offered(call)"),
        ("num_digits=self.size,", "num_digits=self.max_length,"),
        (
            'finish_on_key="#",\n            action=call.action,',
            'finish_on_key="*",\n            action=call.action,',
            {"why": "a caller ending the number with # has it refused"},
        ),
        (
            "return {self.into: Slot(self.size, personal=True)}",
            "return {self.into: Slot(self.size)}",
            {"why": "the confirmed number travels in clear in URLs and log lines"},
        ),
    ),
    *group(
        "phonetree_engine/languages.py",
        engine("languages", "engine", "table"),
        (
            "for number, language in enumerate(languages, 1)",
            "for number, language in enumerate(languages)",
        ),
        ("language=call.config.language,\n            speech_timeout", "speech_timeout"),
        (
            'say = choice.say(words["choice"].format(key=key), language=language)',
            'say = choice.say(words["choice"].format(key=key))',
        ),
        (
            'input="dtmf speech",\n            num_digits=1,',
            'input="dtmf",\n            num_digits=1,',
        ),
        (
            "num_digits=1,\n            action=call.action,",
            "action=call.action,",
            {"why": "the choice waits for the timeout (or #) after the caller's key"},
        ),
        ("if chosen is None and call.speech:", "if False:"),
        (
            'if voice:\n                say.attrs["voice"] = voice',
            "pass",
            {
                "equivalent": "the engine dresses every Say with the voice of its own language "
                "(config.voice_for), the same voice this sets"
            },
        ),
        ("action_on_empty_result=True,\n            hints", "hints"),
    ),
    *group(
        "phonetree_engine/words.py",
        engine("languages", "table", "engine"),
        (
            'primary = language.split("-")[0]',
            "primary = language",
            {"why": "en-GB callers find no words: the tree stops"},
        ),
        ("missing = set(first) - set(found)\n", "missing = set()\n"),
        (
            'if value.endswith((".", "!", "?")):',
            'if value.endswith("."):',
            {"why": '"Welcome to Yahoo!." said with a stray stop'},
        ),
        (
            'plain = "".join(char for char in plain if not unicodedata.combining(char))',
            "pass",
            {"why": "a caller saying español without the accent is not understood"},
        ),
        ('plain = unicodedata.normalize("NFKD", text.casefold())', "plain = text"),
        (
            "self.pairs.sort(key=lambda pair: -len(pair[0]))",
            "pass",
            {"why": '"customer service" taken for "service"'},
        ),
        (
            "for at in range(len(words) - size + 1)",
            "for at in range(len(words) - size)",
            {"why": "a phrase said last is not heard"},
        ),
        (
            'return [phrase.strip() for phrase in text.split(",") if phrase.strip()]',
            'return [phrase for phrase in text.split(",")]',
        ),
        (
            "found.append((not _assigns(path, keys[0]), shown_path(path), keys[0]))",
            "found.append((False, shown_path(path), keys[0]))",
        ),
    ),
    *group(
        "phonetree_engine/checks.py",
        CHECKS,
        (
            "problems += _check_heard_once(name, keys, config, found)",
            "pass",
            {"why": "a phrase heard for two options sends every caller to the first, unawares"},
        ),
        (
            'fix = f"lead to it from another state, or remove its row{where(table)}"',
            'fix = "lead to it from another state, or remove its row"',
            {"why": "an option removed leaves its state, and the message names no file to edit"},
        ),
        (
            "problems += _check_reachable(table, tree.start) + _check_chains(table)",
            "problems += _check_reachable(table, tree.start)",
        ),
        (
            "problems += _check_way_on(table, held)",
            "pass",
            {"why": "a menu that keeps a caller forever starts"},
        ),
        ("inspect.signature(handler).bind(None)", "inspect.signature(handler)"),
        (
            "for is_open in (True, False):",
            "for is_open in (True,):",
            {"why": "a state that fails after hours starts"},
        ),
        (
            "if row.exit is None and (not names or names[-1] not in ENDING_VERBS):",
            "if row.exit is None and not names:",
            {"why": "a terminal state that leaves the caller in silence starts"},
        ),
        (
            'if last.name == "Gather" and not last.attrs.get("actionOnEmptyResult"):',
            "if False:",
            {"why": "a menu that hangs up on silence starts"},
        ),
        (
            'if not any(verb.attrs.get("action") == action for verb in waiting):',
            "if not waiting:",
        ),
        ("odd = [verb.name for verb in verbs if verb.name not in HOLD_VERBS]", "odd = []"),
        ("if size > CONTEXT_BUDGET:", "if size > 2 * CONTEXT_BUDGET:"),
        (
            'elif set(slot.chars) & set("&=#%+ ?/"):',
            'elif set(slot.chars) & set("&="):',
            {"why": "a context value with # or + cuts its URL"},
        ),
        (
            'problems.append(f"state {name!r}: two options have the key {option.key!r}{found}")',
            "pass",
        ),
        ('if what == "hear" and not split_phrases(words):', "if False:"),
        (
            "and not isinstance(limit, bool) and 1 <= limit <= MAX_TRIES:",
            "and not isinstance(limit, bool):",
        ),
        (
            "if voice and not re.fullmatch(carrier.dialect.voices, voice)",
            "if False",
            {"why": "a voice the carrier does not have fails every Say on a live call"},
        ),
        ('return f"<{verb.name}>"', "return None", {"why": "a verb the carrier lacks fails live"}),
        ("same = sorted(first & set(said[language]))", "same = []"),
        (
            'problems.append(f"the {role} state {name!r} is not in the table{where(tree.table)}")',
            "pass",
        ),
    ),
]
