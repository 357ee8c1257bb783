-- Stories covered in more than one language, widest coverage first, with their titles.
SELECT story_id, languages, language_list, articles, first_published, titles
FROM stories_across_languages
ORDER BY languages DESC, articles DESC, first_published;
