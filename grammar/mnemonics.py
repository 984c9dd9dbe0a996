"""A64 instruction mnemonics (Arm Architecture Reference Manual, A64 instruction set),
including the preferred aliases an assembler accepts.

The front end keeps every instruction it does not model as a generic Instruction, but a
statement whose first word is neither a directive, a defined macro, nor one of these
mnemonics is an error: it is almost always an undefined macro (a missing include or a
macro of another project) or a typo, and silently treating it as an unknown instruction
would drop the code it stands for.

Written by hand from the Arm ARM's instruction index, grouped by instruction class.
Condition suffixes (`b.eq`) are split off before the lookup.
"""
from __future__ import annotations


def _w(s: str) -> set[str]:
    return set(s.split())


BASE = _w("""
adc adcs add addg adds adr adrp and ands asr asrv at autda autdb autdza autdzb autia
autia1716 autiasp autiaz autib autib1716 autibsp autibz autiza autizb axflag b bc bfc bfi
bfm bfxil bic bics bl blr blraa blraaz blrab blrabz br braa braaz brab brabz brk bti cas
casa casal casl casb casab casalb caslb cash casah casalh caslh casp caspa caspal caspl
cbnz cbz ccmn ccmp cfinv cfp cinc cinv clrex cls clz cmn cmp cmpp cneg cpp crc32b crc32h
crc32w crc32x crc32cb crc32ch crc32cw crc32cx csdb csel cset csetm csinc csinv csneg dc
dcps1 dcps2 dcps3 dgh dmb drps dsb dvp eon eor eret eretaa eretab esb extr gmi hint hlt
hvc ic irg isb ld64b ldadd ldadda ldaddal ldaddl ldaddb ldaddab ldaddalb ldaddlb ldaddh
ldaddah ldaddalh ldaddlh ldapr ldaprb ldaprh ldapur ldapurb ldapurh ldapursb ldapursh
ldapursw ldar ldarb ldarh ldaxp ldaxr ldaxrb ldaxrh ldclr ldclra ldclral ldclrl ldclrb
ldclrab ldclralb ldclrlb ldclrh ldclrah ldclralh ldclrlh ldeor ldeora ldeoral ldeorl
ldeorb ldeorab ldeoralb ldeorlb ldeorh ldeorah ldeoralh ldeorlh ldg ldgm ldlar ldlarb
ldlarh ldnp ldp ldpsw ldr ldraa ldrab ldrb ldrh ldrsb ldrsh ldrsw ldset ldseta ldsetal
ldsetl ldsetb ldsetab ldsetalb ldsetlb ldseth ldsetah ldsetalh ldsetlh ldsmax ldsmaxa
ldsmaxal ldsmaxl ldsmaxb ldsmaxab ldsmaxalb ldsmaxlb ldsmaxh ldsmaxah ldsmaxalh ldsmaxlh
ldsmin ldsmina ldsminal ldsminl ldsminb ldsminab ldsminalb ldsminlb ldsminh ldsminah
ldsminalh ldsminlh ldtr ldtrb ldtrh ldtrsb ldtrsh ldtrsw ldumax ldumaxa ldumaxal ldumaxl
ldumaxb ldumaxab ldumaxalb ldumaxlb ldumaxh ldumaxah ldumaxalh ldumaxlh ldumin ldumina
lduminal lduminl lduminb lduminab lduminalb lduminlb lduminh lduminah lduminalh lduminlh
ldur ldurb ldurh ldursb ldursh ldursw ldxp ldxr ldxrb ldxrh lsl lslv lsr lsrv madd mneg
mov movk movn movz mrs msr msub mul mvn neg negs ngc ngcs nop orn orr pacda pacdb pacdza
pacdzb pacga pacia pacia1716 paciasp paciaz pacib pacib1716 pacibsp pacibz paciza pacizb
prfm prfum psb pssbb rbit ret retaa retab rev rev16 rev32 rev64 rmif ror rorv sb sbc sbcs
sbfiz sbfm sbfx sdiv setf8 setf16 sev sevl smaddl smc smnegl smsubl smulh smull ssbb st2g
st64b st64bv st64bv0 stadd staddl staddb staddlb staddh staddlh stclr stclrl stclrb
stclrlb stclrh stclrlh steor steorl steorb steorlb steorh steorlh stg stgm stgp stllr
stllrb stllrh stlr stlrb stlrh stlur stlurb stlurh stlxp stlxr stlxrb stlxrh stnp stp
str strb strh stset stsetl stsetb stsetlb stseth stsetlh stsmax stsmaxl stsmaxb stsmaxlb
stsmaxh stsmaxlh stsmin stsminl stsminb stsminlb stsminh stsminlh sttr sttrb sttrh stumax
stumaxl stumaxb stumaxlb stumaxh stumaxlh stumin stuminl stuminb stuminlb stuminh
stuminlh stur sturb sturh stxp stxr stxrb stxrh stz2g stzg stzgm sub subg subp subps subs
svc swp swpa swpal swpl swpb swpab swpalb swplb swph swpah swpalh swplh sxtb sxth sxtw
sys sysl tbnz tbz tlbi tsb tst ubfiz ubfm ubfx udf udiv umaddl umnegl umsubl umulh umull
uxtb uxth uxtw wfe wfet wfi wfit xaflag xpacd xpaci xpaclri yield
abs cnt ctz smax smin umax umin
cpyfp cpyfm cpyfe cpyp cpym cpye setp setm sete setgp setgm setge
cpyfprn cpyfmrn cpyfern cpyfpwn cpyfmwn cpyfewn cpyfpn cpyfmn cpyfen cpyfprt cpyfmrt
cpyfert cpyfpwt cpyfmwt cpyfewt cpyfpt cpyfmt cpyfet cpyprn cpymrn cpyern cpypwn cpymwn
cpyewn cpypn cpymn cpyen cpyprt cpymrt cpyert cpypwt cpymwt cpyewt cpypt cpymt cpyet
setpn setmn seten setpt setmt setet setgpn setgmn setgen setgpt setgmt setget
brb clrbhb chkfeat gcsb gcspushm gcspopm gcsss1 gcsss2 gcspushx gcspopx gcspopcx gcsstr
gcssttr tlbip sysp mrrs msrr rcwcas rcwcasa rcwcasal rcwcasl rcwcasp rcwcaspa rcwcaspal
rcwcaspl rcwclr rcwclra rcwclral rcwclrl rcwclrp rcwclrpa rcwclrpal rcwclrpl rcwset
rcwseta rcwsetal rcwsetl rcwsetp rcwsetpa rcwsetpal rcwsetpl rcwswp rcwswpa rcwswpal
rcwswpl rcwswpp rcwswppa rcwswppal rcwswppl ldiapp stilp ldap1 stl1 trcit stshh
apas ldclrp ldclrpa ldclrpal ldclrpl ldsetp ldsetpa ldsetpal ldsetpl swpp swppa swppal
swppl pacm autiasppc autibsppc pacnbiasppc pacnbibsppc paciasppc pacibsppc retaasppc
retabsppc
""")

FP = _w("""
fabd fabs facge facgt fadd faddp fccmp fccmpe fcmeq fcmge fcmgt fcmle fcmlt fcmp fcmpe
fcsel fcvt fcvtas fcvtau fcvtl fcvtl2 fcvtms fcvtmu fcvtn fcvtn2 fcvtns fcvtnu fcvtps
fcvtpu fcvtxn fcvtxn2 fcvtzs fcvtzu fdiv fjcvtzs fmadd fmax fmaxnm fmaxnmp fmaxnmv fmaxp
fmaxv fmin fminnm fminnmp fminnmv fminp fminv fmla fmlal fmlal2 fmls fmlsl fmlsl2 fmov
fmsub fmul fmulx fneg fnmadd fnmsub fnmul frecpe frecps frecpx frint32x frint32z frint64x
frint64z frinta frinti frintm frintn frintp frintx frintz frsqrte frsqrts fsqrt fsub
scvtf ucvtf fcadd fcmla bfcvt bfcvtn bfcvtn2 bfdot bfmlalb bfmlalt bfmmla famax famin
fscale fdot fmlalb fmlalt fmlallbb fmlallbt fmlalltb fmlalltt luti2 luti4 bf1cvtl bf2cvtl
f1cvtl f2cvtl fcvtn bf1cvtl2 bf2cvtl2 f1cvtl2 f2cvtl2
""")

SIMD = _w("""
abs add addhn addhn2 addp addv aesd aese aesimc aesmc and bcax bic bif bit bsl cls clz
cmeq cmge cmgt cmhi cmhs cmle cmlt cmtst cnt dup eor eor3 ext ins ld1 ld1r ld2 ld2r ld3
ld3r ld4 ld4r ldap1 mla mls mov movi mul mvn mvni neg not orn orr pmul pmull pmull2
raddhn raddhn2 rax1 rbit rev16 rev32 rev64 rshrn rshrn2 rsubhn rsubhn2 saba sabal sabal2
sabd sabdl sabdl2 sadalp saddl saddl2 saddlp saddlv saddw saddw2 sdot sha1c sha1h sha1m
sha1p sha1su0 sha1su1 sha256h sha256h2 sha256su0 sha256su1 sha512h sha512h2 sha512su0
sha512su1 shadd shl shll shll2 shrn shrn2 shsub sli sm3partw1 sm3partw2 sm3ss1 sm3tt1a
sm3tt1b sm3tt2a sm3tt2b sm4e sm4ekey smax smaxp smaxv smin sminp sminv smlal smlal2 smlsl
smlsl2 smmla smov smull smull2 sqabs sqadd sqdmlal sqdmlal2 sqdmlsl sqdmlsl2 sqdmulh
sqdmull sqdmull2 sqneg sqrdmlah sqrdmlsh sqrdmulh sqrshl sqrshrn sqrshrn2 sqrshrun
sqrshrun2 sqshl sqshlu sqshrn sqshrn2 sqshrun sqshrun2 sqsub sqxtn sqxtn2 sqxtun sqxtun2
srhadd sri srshl srshr srsra sshl sshll sshll2 sshr ssra ssubl ssubl2 ssubw ssubw2 st1 st2
st3 st4 stl1 sub subhn subhn2 sudot suqadd sxtl sxtl2 tbl tbx trn1 trn2 uaba uabal uabal2
uabd uabdl uabdl2 uadalp uaddl uaddl2 uaddlp uaddlv uaddw uaddw2 udot uhadd uhsub umax
umaxp umaxv umin uminp uminv umlal umlal2 umlsl umlsl2 ummla umov umull umull2 uqadd
uqrshl uqrshrn uqrshrn2 uqshl uqshrn uqshrn2 uqsub uqxtn uqxtn2 urecpe urhadd urshl urshr
ursqrte ursra usdot ushl ushll ushll2 ushr usmmla usqadd usra usubl usubl2 usubw usubw2
uxtl uxtl2 uzp1 uzp2 xar xtn xtn2 zip1 zip2
""")

# SVE / SVE2 / SME: the common ones (these only appear with z/p/za registers).
SVE = _w("""
addpl addvl addvl cntb cntd cnth cntw cntp decb decd dech decw decp incb incd inch incw
incp index ld1b ld1d ld1h ld1w ld1sb ld1sh ld1sw ld1rb ld1rd ld1rh ld1rw ld1rqb ld1rqd
ld1rqh ld1rqw ldff1b ldff1d ldff1h ldff1w ldnf1b ldnf1d ldnf1h ldnf1w ldnt1b ldnt1d
ldnt1h ldnt1w ld2b ld2d ld2h ld2w ld3b ld3d ld3h ld3w ld4b ld4d ld4h ld4w st1b st1d st1h
st1w st2b st2d st2h st2w st3b st3d st3h st3w st4b st4d st4h st4w stnt1b stnt1d stnt1h
stnt1w pfalse pfirst pnext ptest ptrue ptrues rdvl whilele whilelo whilels whilelt
whilege whilegt whilehi whilehs whilerw whilewr sel splice compact clasta clastb lasta
lastb brka brkas brkb brkbs brkn brkns brkpa brkpas brkpb brkpbs cmpeq cmpne cmpge cmpgt
cmple cmplt cmphi cmphs cmplo cmpls nand nands nor nors orns orrs eors ands bics movs
nots sqdecb sqdecd sqdech sqdecw sqdecp sqincb sqincd sqinch sqincw sqincp uqdecb uqdecd
uqdech uqdecw uqdecp uqincb uqincd uqinch uqincw uqincp dupm fadda faddv fexpa ftmad
ftsmul ftssel insr lsla lslr asrd asrr lsrr movprfx mad msb prfb prfd prfh prfw rdffr
rdffrs setffr wrffr revb revh revw sdivr udivr subr sxtb uxtb smulh umulh uunpkhi
uunpklo sunpkhi sunpklo trn1 trn2 uzp1 uzp2 zip1 zip2 punpkhi punpklo smstart smstop
zero ldr str mova movaz addha addva fmopa fmops smopa smops umopa umops bfmopa bfmops
""")

# SVE2, SME, TME and the memory copy/set variants.
SVE2 = _w("""
adclb adclt addhnb addhnt addspl addsvl andv bdep bext bfcvtnt bgrp bsl1n bsl2n cadd
cdot cmla cnot cpy cpyertn cpyertrn cpyertwn cpyetn cpyetrn cpyetwn cpyewtn cpyewtrn
cpyewtwn cpyfertn cpyfertrn cpyfertwn cpyfetn cpyfetrn cpyfetwn cpyfewtn cpyfewtrn
cpyfewtwn cpyfmrtn cpyfmrtrn cpyfmrtwn cpyfmtn cpyfmtrn cpyfmtwn cpyfmwtn cpyfmwtrn
cpyfmwtwn cpyfprtn cpyfprtrn cpyfprtwn cpyfptn cpyfptrn cpyfptwn cpyfpwtn cpyfpwtrn
cpyfpwtwn cpymrtn cpymrtrn cpymrtwn cpymtn cpymtrn cpymtwn cpymwtn cpymwtrn cpymwtwn
cpyprtn cpyprtrn cpyprtwn cpyptn cpyptrn cpyptwn cpypwtn cpypwtrn cpypwtwn ctermne eorbt
eortb eorv fcmne fcmuo fcpy fcvtlt fcvtnt fcvtx fcvtxnt fdivr fdup flogb fmad fmlslb
fmlslt fmmla fmsb fnmad fnmla fnmls fnmsb fsubr histcnt histseg ld1q ld1rob ld1rod
ld1roh ld1row ld1rsb ld1rsh ld1rsw ldff1sb ldff1sh ldff1sw ldnf1sb ldnf1sh ldnf1sw
ldnt1sb ldnt1sh ldnt1sw match nbsl nmatch orv pmullb pmullt psel raddhnb raddhnt revd
rshrnb rshrnt rsubhnb rsubhnt sabalb sabalt sabdlb sabdlt saddlb saddlbt saddlt saddv
saddwb saddwt sbclb sbclt sclamp setetn setgetn setgmtn setgptn setmtn setptn shrnb
shrnt shsubr smlalb smlalt smlslb smlslt smullb smullt sqcadd sqdmlalb sqdmlalbt
sqdmlalt sqdmlslb sqdmlslbt sqdmlslt sqdmullb sqdmullt sqrdcmlah sqrshlr sqrshrnb
sqrshrnt sqrshrunb sqrshrunt sqshlr sqshrnb sqshrnt sqshrunb sqshrunt sqsubr sqxtnb
sqxtnt sqxtunb sqxtunt srshlr sshllb sshllt ssublb ssublbt ssublt ssubltb ssubwb ssubwt
st1q subhnb subhnt sumopa sumops tcancel tcommit tstart ttest rdsvl ctermeq uabalb uabalt uabdlb
uabdlt uaddlb uaddlt uaddv uaddwb uaddwt uclamp uhsubr umlalb umlalt umlslb umlslt
umullb umullt uqrshlr uqrshrnb uqrshrnt uqshlr uqshrnb uqshrnt uqsubr uqxtnb uqxtnt
urshlr ushllb ushllt usmopa usmops usublb usublt usubwb usubwt
""")

ALL = frozenset(BASE | FP | SIMD | SVE | SVE2)


def is_mnemonic(m: str) -> bool:
    """Whether `m` (lower case, condition split off) is an A64 mnemonic."""
    return m in ALL
