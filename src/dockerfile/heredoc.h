// Here-documents in RUN, COPY and ADD (`RUN <<EOF`, `COPY <<-"EOT" /dst`): finding the openers
// in an instruction line and reading their bodies from the lines that follow it.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "dockerfile/ast.h"
#include "dockerfile/lines.h"

namespace bale::dockerfile {

// Whether heredocs in this instruction are read: shell-form RUN, COPY or ADD, also as the
// trigger of ONBUILD.
bool takes_heredocs(const Instruction& inst);

// The heredoc openers in a line, in order, with name, expand, chomp and fd set and no content
// yet. A word is an opener if it is [N]<<[-]WORD with a non-empty WORD and no other '<'.
std::vector<Heredoc> find_heredocs(std::string_view line);

// Reads each heredoc's body from `lines`: everything up to a line equal to its name (after
// leading tabs are removed, for <<-). Throws bale::Error "unterminated heredoc 'NAME'" when
// the text ends first.
void read_heredoc_bodies(LineReader& lines, std::vector<Heredoc>* heredocs);

// <<- bodies: leading tabs removed from every line.
std::string strip_leading_tabs(std::string_view content);

}  // namespace bale::dockerfile
