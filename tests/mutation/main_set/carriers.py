"""The carriers: how each one's signature is checked, what it retries, what its markup lacks.

(Each carrier's ``sign`` and ``call_id`` are used by nothing: the simulated caller signs with
its own ``phonetree_tools/carriers.py``. No mutant there.)
"""

from __future__ import annotations

from mutant import CARRIERS, group

MUTANTS = [
    *group(
        "phonetree_engine/carriers/__init__.py",
        CARRIERS,
        (
            "if module.GROUP not in groups:\n            groups.append(module.GROUP)",
            "groups.append(module.GROUP)",
            {"why": "TWILIO_AUTH_TOKEN listed twice in the docs' table and app.json"},
        ),
        (
            "return CARRIERS[config.provider].carrier(config)",
            'return CARRIERS["twilio"].carrier(config)',
            {"why": "SignalWire's and Telnyx's signatures never checked"},
        ),
    ),
    *group(
        "phonetree_engine/carriers/twilio.py",
        CARRIERS,
        (
            'if request.method == "POST":',
            "if True:",
            {"equivalent": "a GET has no form: read_params reads a body for a POST only"},
        ),
        (
            "except ValueError:  # an algorithm the twilio package does not know",
            "except TypeError:  # an algorithm the twilio package does not know",
            {"why": "a signature under an unknown algorithm is a 400, not refused as unsigned"},
        ),
        (
            "return hmac.compare_digest(expected, signature) or validator.validate(",
            "return hmac.compare_digest(expected, signature) and validator.validate(",
        ),
        (
            "validator = self.shared if settings else self.token",
            "validator = self.token or self.shared",
        ),
        (
            "if not signature or not signature.isascii() or validator is None:",
            "if not signature or validator is None:",
        ),
        (
            "if not signature or not signature.isascii() or self.validator is None:",
            "if not signature or self.validator is None:",
            {"why": "SignalWire's and Somleng's odd signatures are a 400, not refused as unsigned"},
        ),
        (
            "signature = request.headers.get(self.header.lower())",
            'signature = request.headers.get("x-twilio-signature")',
        ),
        (
            "algorithm = get_signature_algorithm(settings) if settings else HMAC_SHA1",
            "algorithm = HMAC_SHA1",
        ),
        (
            'RETRY_FRAGMENT = "#rc=5&rp=5xx,ct,rt"',
            'RETRY_FRAGMENT = "#rc=5&rp=ct,rt"',
            {"why": "a voicemail answered 5xx is never retried by Twilio"},
        ),
        (
            "retries_at_url = True",
            "retries_at_url = False",
            {"why": "Twilio's retries replaced by one process's memory"},
        ),
        (
            "return Twilio(token, shared) if token or shared else None",
            "return Twilio(token, shared) if token else None",
            {"why": "a shared-key deployment serves unsigned webhooks"},
        ),
    ),
    *group(
        "phonetree_engine/carriers/signalwire.py",
        CARRIERS,
        (
            'header = "X-SignalWire-Signature"',
            "pass",
            {"why": "SignalWire's signatures never found"},
        ),
        ("return SignalWire(key) if key else None", "return None", {"why": "SignalWire unsigned"}),
        (
            r'dialect = Dialect(voices=r"man|woman|alice|Polly\.[\w-]+|gcloud\.[\w-]+")',
            "dialect = Dialect()",
            {"why": "a voice SignalWire lacks passes start-up and fails every Say"},
        ),
    ),
    *group(
        "phonetree_engine/carriers/somleng.py",
        CARRIERS,
        ('keys = ("TWILIO_AUTH_TOKEN",)', "keys = ()"),
        ("return Somleng(token) if token else None", "return None"),
        (
            'retries = "nothing: the app tries again itself"',
            'RETRY_FRAGMENT = "#rc=5&rp=5xx,ct,rt"',
            {"why": "Somleng's signatures of callbacks break on the fragment"},
        ),
    ),
    *group(
        "phonetree_engine/carriers/telnyx.py",
        CARRIERS,
        ("TOLERANCE = 300", "TOLERANCE = 3000", {"why": "a captured request replayed for an hour"}),
        (
            "if abs(self.clock() - int(stamp)) > TOLERANCE:",
            "if self.clock() - int(stamp) > TOLERANCE:",
            {"why": "a request stamped in the future replayed at leisure"},
        ),
        (
            'self.key.verify(raw, stamp.encode() + b"|" + request.body)',
            "self.key.verify(raw, request.body)",
            {"why": "an old signed body replayed with a fresh timestamp"},
        ),
        (
            r'not re.fullmatch(r"\d{1,12}", stamp):',
            "not stamp:",
        ),
        (
            "if len(raw) != KEY_BYTES:",
            "if not raw:",
            {"why": "a wrong key is a traceback at start-up"},
        ),
        (
            'return None if language.lower().startswith("en-us") else "alice"',
            "return None",
            {"why": "a Spanish prompt read by Telnyx's English voice"},
        ),
        ("    empty_result=False,\n", "", {"why": "silence at a menu hangs up on Telnyx"}),
        ('    drops=frozenset({"Gather.speechTimeout=auto"}),\n', ""),
        ('"Record.transcribe": "transcription",', ""),
    ),
]
