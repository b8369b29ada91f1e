// The .cnn language, version 1 (see ../shared/spec/cnn-language.md and docs/language.md).
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
body      : (statement | sep | junk)* ;
// Tokens that cannot start a statement: reported, then skipped to the end of the line, so
// that one mistake gives one error and the statements after it are still checked.
junk      : ~(NL | SEMI | RBRACE | LBRACE | NETWORK | BLOCK | TRAIN)+ ;

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

constExpr
  : MINUS constExpr                                           # negConst
  | constExpr op=(STAR | SLASH | PERCENT) constExpr           # mulConst
  | constExpr op=(PLUS | MINUS) constExpr                     # addConst
  | LPAREN constExpr (COMMA constExpr)+ RPAREN                # tupleConst
  | LPAREN constExpr RPAREN                                   # parenConst
  | INT                                                       # intConst
  | FLOAT                                                     # floatConst
  | STRING                                                    # stringConst
  | (TRUE | FALSE)                                            # boolConst
  | NAME                                                      # nameConst
  ;

shape     : LBRACK INT (COMMA INT)* RBRACK ;

train     : TRAIN NAME LBRACE trainBody RBRACE ;
trainBody : (setting | sep | junk)* ;
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
