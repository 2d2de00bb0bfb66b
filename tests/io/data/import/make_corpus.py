"""Writes the bad-file corpus in this folder (run once; the files are committed).

Every file is small and made for one failure (or one quirk that must import cleanly);
``tests/test_import_corpus.py`` asserts each one's exact message.
"""

from __future__ import annotations

from pathlib import Path

import openpyxl

HERE = Path(__file__).resolve().parent
HEADER = "participant,measure,wave,rater,value,date\n"


def write(name: str, text: str, encoding: str = "utf-8", newline: str = "\n") -> None:
    (HERE / name).write_bytes(text.replace("\n", newline).encode(encoding))


def main() -> None:
    # Swedish Excel "CSV (semikolonavgränsad)": ';', decimal comma, Windows-1252, CRLF, an å in a role.
    swedish = (
        "participant;group;role;satisfaction;proc_fit\n"
        "k001;treatment;förskolechef;8;4,5\n"
        "k002;treatment;enhetschef;7,5;3\n"
        "k003;control;områdeschef;9;5\n"
    )
    write("swedish_excel.csv", swedish, "cp1252", "\r\n")
    write("wrong_encoding.csv", swedish, "cp1252", "\r\n")  # imported with --encoding utf-8
    write("bom.csv", "\ufeff" + HEADER + "p001,satisfaction,post,self,8,2025-06-01\np002,satisfaction,post,self,7,\n")
    write(
        "mixed_delimiters.csv", "participant;measure;wave;value\np001;satisfaction;post;8\np002,satisfaction,post,7\n"
    )
    write(
        "decimal_commas.csv",
        "participant;measure;wave;value\np001;proc_fit;post;3,5\np002;proc_fit;post;4\np003;proc_fit;post;2,25\n",
    )
    write("decimal_comma_in_comma_file.csv", HEADER + 'p001,proc_fit,post,self,3.5,\np002,proc_fit,post,self,"4,5",\n')
    write(
        "blank_lines.csv",
        HEADER
        + "p001,satisfaction,post,self,8,\n\n\np002,satisfaction,post,self,7,\n,,,,,\n\n"
        + "p003,satisfaction,post,self,ten,\n\n",
    )
    write("header_only.csv", HEADER)
    write("empty.csv", "")
    write("unknown_columns.csv", "participant,measure,wave,value,colour\np001,satisfaction,post,8,blue\n")
    write("seven_on_five.csv", HEADER + "p001,proc_fit,post,self,4,\np002,proc_fit,post,self,7,\n")
    write(
        "duplicated_rows.csv",
        HEADER + "p001,proc_fit,post,self,4,\np002,proc_fit,post,self,3,\np001,proc_fit,post,self,4,\n",
    )
    write(
        "truncated.csv",
        HEADER + "p001,proc_fit,post,self,4,2025-06-01\np002,proc_fit,post,self,3,2025-06-01\np003,proc_f",
    )
    write(
        "every_mistake.csv",
        "participant,measure,wave,rater,value,date,group\n"
        "p001,nosuch,post,self,4,,treatment\n"
        "p002,proc_fit,later,self,4,,treatment\n"
        "p003,proc_fit,post,boss,4,,treatment\n"
        "p004,proc_fit,post,self,4,,placebo\n"
        ",proc_fit,post,self,4,,treatment\n"
        "p006,proc_fit,post,self,four,,treatment\n"
        "p007,proc_fit,post,self,,,treatment\n"
        "p008,proc_fit,post,self,4,15/06/2025,treatment\n",
    )
    # Item level, wide: lf has 8 items, lf_3 and lf_7 reverse-scored (sample catalogue).
    write(
        "items_wide.csv",
        "participant,lf_1,lf_2,lf_3,lf_4,lf_5,lf_6,lf_7,lf_8\n"
        "w001,4,4,2,4,4,4,2,4\n"  # all answered: reversed 2 -> 4, score 4
        "w002,5,,1,5,5,5,1,5\n"  # 7 of 8 (87.5%): score 5
        "w003,3,,,3,3,3,3,\n",  # 5 of 8 (62.5%): left out
    )

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Svar"
    sheet.append(["participant", "satisfaction", "usefulness", "recommend"])
    sheet.append(["x001", 8, None, 7])
    sheet.append(["x002", None, None, None])
    sheet.append(["x003", 9, "=B2+1", 10])
    book.save(HERE / "formulas.xlsx")

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Svar"
    sheet.append(["Participant", "Satisfaction", "Usefulness", "Recommend"])
    sheet.append([1001, 8, None, 7])
    sheet.append([1002, 7.5, 6, None])
    sheet.append([None, None, None, None])
    sheet.append([1003, None, None, None])
    book.save(HERE / "empty_cells.xlsx")


if __name__ == "__main__":
    main()
