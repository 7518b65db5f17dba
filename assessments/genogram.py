"""The family's genogram, for the assessment's page and PDF: drawn by the shared record
(`cases.network_genogram`, which the family network page shows too; the shared record imports no
workflow app), named here where the assessment's parts look for it."""

from cases.network_genogram import Genogram, genogram_for_case, person_words, relation_word

__all__ = ["Genogram", "genogram_for_case", "person_words", "relation_word"]
