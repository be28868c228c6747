"""Repair: the text as read becomes the article's text, every edit recorded.

1. ``repair``: the stage (``RepairText``) and its Beam-free whole (``repair_text``):
   characters, spacing, title, then the steps below.
2. ``mojibake``: encoding damage fixed with ftfy, and lone garbled letters with evidence;
   ``damaged_words`` and ``word_lists``: words ftfy cannot read (a lost byte, NFKC, an
   unusual code page), repaired where the article's word list confirms the reading.
3. ``scripts`` and ``stray_signs``: a stray word of another writing system (a machine
   translation leftover) removed, unless the words around it say it is meant.
4. ``boilerplate``: site furniture lines (navigation, share bars, banners, CMS footers);
   ``widgets``: news sites' widgets in eight languages (sign-up forms, video players,
   subscription pitches, ad markers, credit-only lines).
5. ``common_lines``: the short lines one publisher repeats on most of its stories.
"""

from transforms.runtime.face import lazy_face

_NAMES = {"RepairText": "repair", "RepairConfig": "repair", "repair_text": "repair"}
__all__ = sorted(_NAMES)
__getattr__ = lazy_face(__name__, _NAMES)
