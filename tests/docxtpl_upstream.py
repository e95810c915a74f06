"""docxtpl's own test cases (its repository's tests/*.py): template file and context of each.

The templates are copies in tests/data/docxtpl_upstream/ (README.md there says from where).
Each comparable case renders the upstream template with the upstream context; contexts are
transcribed from the upstream scripts. RichText, R, Listing and RichTextParagraph are plain
values (their markup does not depend on a DocxTemplate object), so those cases compare too.
Cases whose context needs a docxtpl object bound to one DocxTemplate (Subdoc, InlineImage,
hyperlinks made with build_url_id) or a call on that object (replace_embedded) are listed in
NOT_COMPARABLE with the reason.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from unicodedata import name as unicode_name

from docxtpl import Listing, R, RichText, RichTextParagraph

UPSTREAM = Path(__file__).parent / "data" / "docxtpl_upstream"


@dataclass(frozen=True)
class Case:
    script: str  # the upstream tests/ script
    template: str
    context: Callable[[], dict[str, Any]]  # built fresh per render: RichText objects are mutable

    @property
    def content(self) -> bytes:
        return (UPSTREAM / self.template).read_bytes()


def _cellbg() -> dict[str, Any]:
    return {"alerts": [
        {"date": "2015-03-10", "desc": RichText("Very critical alert", color="FF0000", bold=True),
         "type": "CRITICAL", "bg": "FF0000"},
        {"date": "2015-03-11", "desc": RichText("Just a warning"), "type": "WARNING", "bg": "FFDD00"},
        {"date": "2015-03-12", "desc": RichText("Information"), "type": "INFO", "bg": "8888FF"},
        {"date": "2015-03-13", "desc": RichText("Debug trace"), "type": "DEBUG", "bg": "FF00FF"},
    ]}


def _dynamic_table() -> dict[str, Any]:
    return {"col_labels": ["fruit", "vegetable", "stone", "thing"], "tbl_contents": [
        {"label": "yellow", "cols": ["banana", "capsicum", "pyrite", "taxi"]},
        {"label": "red", "cols": ["apple", "tomato", "cinnabar", "doubledecker"]},
        {"label": "green", "cols": ["guava", "cucumber", "aventurine", "card"]},
    ]}


def _escape() -> dict[str, Any]:
    return {
        "myvar": R('"less than" must be escaped : <, this can be done with RichText() or R()'),
        "myescvar": 'It can be escaped with a "|e" jinja filter in the template too : < ',
        "nlnp": R("Here is a multiple\nlines\nstring\aand some\aother\aparagraphs", color="#ff00ff"),
        "mylisting": Listing("the listing\nwith\nsome\nlines\nand special chars : <>& ..."),
        "page_break": R("\f"),
        "new_listing": ("\nThis is a new listing\nNow, does not require Listing() Object\nHere is a \t tab\a\n"
                        "Here is a new paragraph\a\nHere is a page break : \f\nThat's it\n"),
        "some_html": ("HTTP/1.1 200 OK\nServer: Apache-Coyote/1.1\nCache-Control: no-store\n"
                      "Expires: Thu, 01 Jan 1970 00:00:00 GMT\nPragma: no-cache\n"
                      "Content-Type: text/html;charset=UTF-8\nContent-Language: zh-CN\n"
                      "Date: Thu, 22 Oct 2020 10:59:40 GMT\nContent-Length: 9866\n\n<html>\n<head>\n"
                      "    <title>Struts Problem Report</title>\n    <style>\n    \tpre {\n\t    \tmargin: 0;\n"
                      "\t        padding: 0;\n\t    }    \n    </style>\n</head>\n<body>\n...\n</body>\n</html>"),
    }


def _escape_auto() -> dict[str, Any]:
    return {
        "nested_dict": {unicode_name(c): c for c in """<"&'>"""},
        "autoescape": 'Escaped "str & ing"!',
        "autoescape_unicode": "This is an escaped <unicode> example \u4f60 & \u6211",
        "iteritems": lambda x: x.items(),
    }


_UNDECLARED_SOME = {"name": "John Doe", "age": 25, "email": "john@example.com", "is_student": True,
                    "skills": ["Python", "Django"], "company_name": "Test Corp", "author": "Test Author"}


def _undeclared_all() -> dict[str, Any]:
    return {**_UNDECLARED_SOME, "has_degree": True, "degree_field": "Computer Science",
            "skills": ["Python", "Django", "JavaScript"],
            "projects": [{"name": "Project A", "year": 2023, "description": "A great project"},
                         {"name": "Project B", "year": 2024, "description": "Another great project"}],
            "page_number": 1, "generation_date": "2024-01-15"}


def _nested_for() -> dict[str, Any]:
    return {
        "dishes": [
            {"name": "Pizza", "ingredients": ["bread", "tomato", "ham", "cheese"]},
            {"name": "Hamburger", "ingredients": ["bread", "chopped steak", "cheese", "sauce"]},
            {"name": "Apple pie", "ingredients": ["flour", "apples", "suggar", "quince jelly"]},
        ],
        "authors": [
            {"name": "Saint-Exupery", "books": [{"title": "Le petit prince"}, {"title": "L'aviateur"},
                                                {"title": "Vol de nuit"}]},
            {"name": "Barjavel", "books": [{"title": "Ravage"}, {"title": "La nuit des temps"},
                                           {"title": "Le grand secret"}]},
        ],
    }


_ITEMS = [{"desc": "Python interpreters", "qty": 2, "price": "FREE"},
          {"desc": "Django projects", "qty": 5403, "price": "FREE"},
          {"desc": "Guido", "qty": 1, "price": "100,000,000.00"}]


def _richtext() -> dict[str, Any]:
    rt = RichText()
    rt.add("a rich text", style="myrichtextstyle")
    for text, style in ((" with ", {}), ("some italic", {"italic": True}), (" and ", {}),
                        ("some violet", {"color": "#ff00ff"}), (" and ", {}), ("some striked", {"strike": True}),
                        (" and ", {}), ("some Highlighted", {"highlight": "#ffff00"}), (" and ", {}),
                        ("some small", {"size": 14}), (" or ", {}), ("big", {"size": 60}), (" text.", {})):
        rt.add(text, **style)
    # Upstream adds a hyperlink here (url_id=tpl.build_url_id(...)): a relationship of one
    # DocxTemplate object, which neither render path takes from a context; the text stays.
    rt.add("\nYou can add an hyperlink, here to ")
    rt.add("google")
    for text in ("\nEt voilà ! ", "\n1st line", "\n2nd line", "\n3rd line", "\aA new paragraph : <cool>\a",
                 "--- A page break here (see next page) ---\f"):
        rt.add(text)
    for ul in ["single", "double", "thick", "dotted", "dash", "dotDash", "dotDotDash", "wave"]:
        rt.add("\nUnderline : " + ul + " \n", underline=ul)
    rt.add("\nFonts :\n", underline=True)
    rt.add("Arial\n", font="Arial")
    rt.add("Courier New\n", font="Courier New")
    rt.add("Times New Roman\n", font="Times New Roman")
    rt.add("\n\nHere some")
    rt.add("superscript", superscript=True)
    rt.add(" and some")
    rt.add("subscript", subscript=True)
    embedded = RichText("an example of ")
    embedded.add(rt)
    return {"example": embedded}


def _richtext_paragraph() -> dict[str, Any]:
    rtp, rt = RichTextParagraph(), RichText()
    for text, style in (
        ("The rich text paragraph function allows paragraph styles to be added to text", "myrichparastyle"),
        ("Any built in paragraph style can be used", "IntenseQuote"),
        ("or you can add your own, unlocking all style options", "createdStyle"),
        ("To use, just create a style in your template word doc with the formatting you want "
         "and call it in the code.", "normal"),
        ("This allows for the use of", None),
        ("custom bullet\apoints", "SquareBullet"),
        ("Numbered Bullet Points", "BasicNumbered"),
        ("and Alpha Bullet Points.", "alphaBracketNumbering"),
        ("You can", "normal"), ("set the", "centerAlign"), ("text alignment", "rightAlign"),
        ("as well as the spacing between lines of text. Like this for example, this text has very tight "
         "spacing between the lines.\aIt also has no space between paragraphs of the same style.",
         "TightLineSpacing"),
        ("Unlike this one, which has extra large spacing between lines for when you want to space things "
         "out a bit or just write a little less.", "WideLineSpacing"),
        ("You can also set the background colour of a line.", "LineShadingGreen"),
    ):
        rtp.add(text, parastyle=style) if style else rtp.add(text)
    rt.add("This works with ")
    rt.add("Rich ", bold=True)
    rt.add("Text ", italic=True)
    rt.add("Strings", underline="single")
    rt.add(" too.")
    rtp.add(rt, parastyle="SquareBullet")
    return {"example": rtp}


def _module_execute() -> dict[str, Any]:
    return json.loads((UPSTREAM / "module_execute.json").read_text())


CASES: dict[str, Case] = {c.script + (f"#{i}" if i else ""): c for i, c in [
    (0, Case("cellbg.py", "cellbg_tpl.docx", _cellbg)),
    (0, Case("comments.py", "comments_tpl.docx", dict)),
    (0, Case("doc_properties.py", "doc_properties_tpl.docx", lambda: {"test": "HelloWorld"})),
    (0, Case("dynamic_table.py", "dynamic_table_tpl.docx", _dynamic_table)),
    (0, Case("escape.py", "escape_tpl.docx", _escape)),
    (0, Case("escape_auto.py", "escape_tpl_auto.docx", _escape_auto)),
    (0, Case("footnotes.py", "footnotes_tpl.docx", lambda: {"a_jinja_variable": "A Jinja variable!"})),
    (0, Case("get_undeclared_variables.py", "get_undeclared_variables.docx", lambda: dict(_UNDECLARED_SOME))),
    (1, Case("get_undeclared_variables.py", "get_undeclared_variables.docx", _undeclared_all)),
    (0, Case("header_footer_entities.py", "header_footer_entities_tpl.docx",
             lambda: {"title": "Header and footer test"})),
    # header_footer_image.py and header_footer_image_file_obj.py call replace_media first (a
    # DocxTemplate method we don't offer); the template with their context still compares.
    (0, Case("header_footer_image.py", "header_footer_image_tpl.docx",
             lambda: {"mycompany": "The World Wide company"})),
    (0, Case("horizontal_merge.py", "horizontal_merge_tpl.docx", dict)),
    (0, Case("less_cells_after_loop.py", "less_cells_after_loop_tpl.docx", dict)),
    (0, Case("merge_paragraph.py", "merge_paragraph_tpl.docx", lambda: {"living_in_town": True})),
    (0, Case("module_execute.py", "module_execute_tpl.docx", _module_execute)),
    (0, Case("multi_rendering.py", "multi_rendering_tpl.docx",
             lambda: {"title": "Title ONE", "body": "This is the body for first document"})),
    (1, Case("multi_rendering.py", "multi_rendering_tpl.docx",
             lambda: {"title": "Title TWO", "body": "This is the body for second document"})),
    (2, Case("multi_rendering.py", "multi_rendering_tpl.docx",
             lambda: {"title": "Title THREE", "body": "This is the body for third document"})),
    (0, Case("nested_for.py", "nested_for_tpl.docx", _nested_for)),
    (0, Case("order.py", "order_tpl.docx", lambda: {
        "customer_name": "Eric", "items": _ITEMS, "in_europe": True, "is_paid": False,
        "company_name": "The World Wide company", "total_price": "100,000,000.00"})),
    (0, Case("preserve_spaces.py", "preserve_spaces_tpl.docx", lambda: {"tag_1": "looking", "tag_2": "too"})),
    # replace_picture.py calls replace_pic first (a DocxTemplate method); the render compares.
    (0, Case("replace_picture.py", "replace_picture_tpl.docx", dict)),
    (0, Case("richtext.py", "richtext_tpl.docx", _richtext)),
    (0, Case("richtext_and_if.py", "richtext_and_if_tpl.docx",
             lambda: {"foobar": RichText("Foobar!", color="ff0000")})),
    (0, Case("richtext_eastAsia.py", "richtext_eastAsia_tpl.docx", lambda: {
        "example": RichText("测试TEST", font="eastAsia:Microsoft YaHei"),
        "Chinese": RichText("测试TEST", font="eastAsia:微软雅黑"),
        "simsun": RichText("测试TEST", font="eastAsia:SimSun")})),
    (0, Case("richtextparagraph.py", "richtext_paragraph_tpl.docx", _richtext_paragraph)),
    (0, Case("vertical_merge.py", "vertical_merge_tpl.docx", lambda: {
        "items": _ITEMS, "total_price": "100,000,000.00", "category": "Book"})),
    (0, Case("vertical_merge_nested.py", "vertical_merge_nested_tpl.docx", dict)),
    (0, Case("word2016.py", "word2016_tpl.docx", lambda: {
        "test_space": "          ", "test_tabs": 5 * "\t",
        "test_space_r": RichText("          "), "test_tabs_r": RichText(5 * "\t")})),
]}

REFUSED: dict[str, Case] = {
    # Both paths refuse these templates with TemplateRenderError: the sandbox has no custom
    # filters, and the upstream template is broken on purpose.
    "custom_jinja_filters.py": Case("custom_jinja_filters.py", "custom_jinja_filters_tpl.docx",
                                    lambda: {"base_value_string": " Hello", "base_value_float": 1.5}),
    "template_error.py": Case("template_error.py", "template_error_tpl.docx",
                              lambda: {"test_variable": "test variable value"}),
}

NOT_COMPARABLE: dict[str, str] = {
    "embedded.py": "replace_embedded/replace_zipname swap embedded files through one DocxTemplate object",
    "header_footer.py": "the context holds a Subdoc, made by and bound to one DocxTemplate object",
    "header_footer_utf8.py": "the context holds a Subdoc, made by and bound to one DocxTemplate object",
    "merge_docx.py": "the context holds a Subdoc (new_subdoc of a file), bound to one DocxTemplate object",
    "subdoc.py": "the context holds a Subdoc, made by and bound to one DocxTemplate object",
    "inline_image.py": "InlineImage is bound to one DocxTemplate object; our pictures are sakip.media.Picture "
                       "(PNG, width only), and this case sizes JPEG and PNG by height",
    "header_footer_inline_image.py": "InlineImage (sized by height) bound to one DocxTemplate object",
    "header_footer_image_file_obj.py": "the same template and context as header_footer_image.py (only "
                                       "replace_media with file objects differs)",
    "runtests.py": "runs the other scripts",
    "__init__.py": "empty",
}
