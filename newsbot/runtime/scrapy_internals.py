"""The places newsbot reaches into Scrapy's internals for speed, together, so that a Scrapy upgrade has
one module to check (tests/crawl/test_units.py pins what each must keep doing). Both costs grow with
the size of a digest; bench/crawl.py shows what they save.

- `quick_copies(settings)`: Scrapy copies the settings for every crawler it makes (Crawler.__init__),
  and a digest makes one per source. copy.deepcopy of ~300 settings deep-copies values that need no
  copy at all; CrawlerSettings' copy shares the immutable ones and is otherwise as independent of the
  original as a deep copy.
- `PlainAttributes`: Scrapy 2.13+ routes every attribute access of a stats collector (a stat read
  inside inc_value included) through a __getattribute__ that wraps methods to warn about a deprecated
  `spider` argument. newsbot never passes one and Scrapy itself no longer does; a `spider` passed
  anyway is accepted and ignored, as before.
"""

from __future__ import annotations

import copy

from scrapy.settings import BaseSettings, Settings, SettingsAttribute

# Values a copy can share with the original: nothing can change them in place.
IMMUTABLE = (str, int, float, bool, bytes, type(None))


class CrawlerSettings(Settings):
    """Settings whose copy() is copy_settings: as independent as a deep copy, without deep-copying
    values that cannot change."""

    def copy(self):
        return copy_settings(self)


def copy_settings(settings: BaseSettings) -> BaseSettings:
    clone = object.__new__(type(settings))
    clone.__dict__.update(settings.__dict__)
    attributes = clone.attributes = {}
    for name, attribute in settings.attributes.items():
        value = attribute.value
        if isinstance(value, BaseSettings):
            value = copy_settings(value)
        elif not isinstance(value, IMMUTABLE):
            value = copy.deepcopy(value)
        copied = attributes[name] = object.__new__(SettingsAttribute)
        copied.__dict__.update(attribute.__dict__)
        copied.value = value
    return clone


def quick_copies(settings: BaseSettings) -> None:
    """Make every later copy of SETTINGS (one per crawler) a CrawlerSettings copy. Only a plain
    Settings is changed: a subclass of someone else's keeps its own copy()."""
    if type(settings) is Settings:
        settings.__class__ = CrawlerSettings


class PlainAttributes:
    """A mixin, first among the bases of a stats collector: plain attribute access, without Scrapy's
    per-access wrapping of methods."""

    __getattribute__ = object.__getattribute__
