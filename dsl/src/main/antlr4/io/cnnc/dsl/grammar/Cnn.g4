// The .cnn language, version 1; docs/language.md is its reference.
grammar Cnn;

@lexer::members {
  // Newlines separate statements, except inside ( ) and [ ], after '->' or ',', and
  // when they would only repeat a separator: there they are dropped here, so the
  // parser only ever sees NL where a statement may end.
  private int bracketDepth = 0;
  private int lastType = -1;
  private org.antlr.v4.runtime.Token pending;

  private boolean reportUnknown(org.antlr.v4.runtime.Token t) {
    getErrorListenerDispatch().syntaxError(this, t, t.getLine(), t.getCharPositionInLine(),
        "unexpected character '" + t.getText() + "'", null);
    return true;
  }

  /** The next token after dropping unknown characters (reported) and blank-line repeats. */
  private org.antlr.v4.runtime.Token raw() {
    if (pending != null) {
      org.antlr.v4.runtime.Token t = pending;
      pending = null;
      return t;
    }
    return super.nextToken();
  }

  @Override
  public org.antlr.v4.runtime.Token nextToken() {
    while (true) {
      org.antlr.v4.runtime.Token t = raw();
      int type = t.getType();
      if (type == UNKNOWN && reportUnknown(t)) continue;
      if (type == LPAREN || type == LBRACK) bracketDepth++;
      else if ((type == RPAREN || type == RBRACK) && bracketDepth > 0) bracketDepth--;
      else if (type == LBRACE || type == RBRACE) bracketDepth = 0;
      if (type == NL && (bracketDepth > 0 || lastType == -1 || lastType == NL
          || lastType == ARROW || lastType == COMMA || lastType == SEMI)) {
        continue;
      }
      if (type == NL) {
        // A line that starts with '->' continues the chain of the line before.
        org.antlr.v4.runtime.Token next = raw();
        while (next.getType() == NL || next.getType() == UNKNOWN && reportUnknown(next)) next = raw();
        pending = next;
        if (next.getType() == ARROW) continue;
      }
      lastType = type;
      return t;
    }
  }
}

file      : (sep | toplevel)* EOF ;
toplevel  : network | block | train ;
sep       : NL | SEMI ;

network   : NETWORK NAME LBRACE body RBRACE ;
block     : BLOCK NAME LPAREN params? RPAREN LBRACE body RBRACE ;
params    : param (COMMA param)* ;
param     : NAME (ASSIGN constExpr)? ;
// Statements must be separated; that is checked when the tree is built, which lets the
// parser resynchronise on the next statement after an error.
body      : (statement | sep | junk | sep lineJunk)* ;
// Tokens that cannot start a statement: reported, then skipped to the end of the line, so
// that one mistake gives one error and the statements after it are still checked. Right
// after a statement, junk never starts with a token that could continue it (an operator,
// '->' or ','): otherwise every such token would be ambiguous up to the line's end.
junk      : ~(NL | SEMI | RBRACE | LBRACE | NETWORK | BLOCK | TRAIN | ARROW | COMMA | PLUS | MINUS | STAR | SLASH | PERCENT)
            lineJunk? ;
// At the start of a line, anything that is not a statement is junk.
lineJunk  : ~(NL | SEMI | RBRACE | LBRACE | NETWORK | BLOCK | TRAIN)+ ;

statement
  : INPUT NAME COLON shape                                    # inputStatement
  | NAME ASSIGN chain                                         # bindStatement
  | REPEAT constExpr (call | LBRACE body RBRACE)             # repeatStatement
  | OUTPUT (NAME (COMMA NAME)*)?                              # outputStatement
  | chain                                                     # chainStatement
  ;

chain     : sum (ARROW call)* ;
sum       : product (PLUS product)* ;
product   : atom (STAR atom)* ;
atom
  : CONCAT LPAREN chain (COMMA chain)+ RPAREN                 # concatAtom
  | call                                                      # callAtom
  | LPAREN chain RPAREN                                       # parenAtom
  ;
call      : NAME (LPAREN args? RPAREN)? ;
args      : arg (COMMA arg)* ;
arg       : NAME ASSIGN constExpr                             # namedArg
          | constExpr                                         # positionalArg
          ;

// Written as one rule per precedence level, with loops rather than left recursion, so that
// a long sum is parsed, built and evaluated without a level of recursion per operator.
constExpr : constTerm (ops+=(PLUS | MINUS) constTerm)* ;
constTerm : constFactor (ops+=(STAR | SLASH | PERCENT) constFactor)* ;
constFactor
  : MINUS constFactor                                         # negConst
  // One item is a parenthesised value, more are a tuple; one rule, so that choosing between
  // them needs no lookahead to the closing parenthesis.
  | LPAREN constExpr (COMMA constExpr)* RPAREN                # parenConst
  | INT                                                       # intConst
  | FLOAT                                                     # floatConst
  | STRING                                                    # stringConst
  | (TRUE | FALSE)                                            # boolConst
  | NAME                                                      # nameConst
  ;

shape     : LBRACK INT (COMMA INT)* RBRACK ;

train     : TRAIN NAME LBRACE trainBody RBRACE ;
trainBody : (setting | sep | junk | sep lineJunk)* ;
setting   : NAME settingValue (COMMA settingValue)* ;
settingValue
  : call
  | constExpr
  ;

NETWORK : 'network' ;
BLOCK   : 'block' ;
INPUT   : 'input' ;
OUTPUT  : 'output' ;
REPEAT  : 'repeat' ;
TRAIN   : 'train' ;
TRUE    : 'true' ;
FALSE   : 'false' ;
CONCAT  : 'concat' ;

ARROW   : '->' ;
LPAREN  : '(' ;
RPAREN  : ')' ;
LBRACK  : '[' ;
RBRACK  : ']' ;
LBRACE  : '{' ;
RBRACE  : '}' ;
COMMA   : ',' ;
COLON   : ':' ;
SEMI    : ';' ;
ASSIGN  : '=' ;
PLUS    : '+' ;
MINUS   : '-' ;
STAR    : '*' ;
SLASH   : '/' ;
PERCENT : '%' ;

FLOAT   : DIGIT+ '.' DIGIT* EXPONENT?
        | '.' DIGIT+ EXPONENT?
        | DIGIT+ EXPONENT
        ;
INT     : DIGIT+ ;
STRING  : '"' (~["\\\r\n] | '\\' .)* '"' ;
NAME    : [A-Za-z_] [A-Za-z0-9_]* ;

NL            : '\r'? '\n' ;
WS            : [ \t\f]+ -> skip ;
LINE_COMMENT  : '//' ~[\r\n]* -> skip ;
BLOCK_COMMENT : '/*' .*? '*/' -> skip ;
// Anything else is reported by the lexer at its position and dropped.
UNKNOWN       : . ;

fragment DIGIT    : [0-9] ;
fragment EXPONENT : [eE] [+-]? DIGIT+ ;
