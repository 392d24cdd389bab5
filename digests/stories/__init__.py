"""Story clustering: which articles, from several outlets and over several days, report one story.

Pure code beside the summariser (no I/O, no clock): the caller gives each article's text and
time, in arrival order, and gets back the story it belongs to. Three steps, one module each:

- ``features``: weighted terms (stemmed words, lead and title counted more) and the names in
  the text (capitalised runs, the dateline's place), each with a background rarity;
- ``fingerprint``: MinHash over word shingles, so a reprint joins its original at once;
- ``cluster``: online assignment to the most similar open story (centroid cosine of terms
  and names, less a penalty that grows with the time since the story's last article), or a
  new story when nothing is close enough.
"""

from digests.stories.cluster import Assignment, StoryIndex, StoryParams
from digests.stories.features import Article, StoryFeatures, extract

__all__ = ["Article", "Assignment", "StoryFeatures", "StoryIndex", "StoryParams", "extract"]
