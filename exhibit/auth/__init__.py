"""Who is signed in: staff accounts and roles (:mod:`.accounts`), the session and ``requires``
(:mod:`.sessions`), and what every staff page does with the request (:mod:`.args`: language,
dates, no caching).

It sits below the staff screens, the review screens and the error pages, which all ask it; it
imports none of them.
"""
